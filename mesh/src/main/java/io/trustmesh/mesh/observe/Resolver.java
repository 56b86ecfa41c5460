package io.trustmesh.mesh.observe;

import java.util.Optional;

/**
 * Names both ends of an access-log line from the state of the mesh: the sidecar that wrote it is
 * one end; the other is the service whose SPIFFE ID the peer presented (inbound) or the upstream
 * the sidecar forwards to (outbound). A caller the mesh does not know appears as its SPIFFE ID, or
 * its address when it presented none.
 */
final class Resolver {
  private final MeshView state;

  Resolver(MeshView state) {
    this.state = state;
  }

  ObservedConnection resolve(AccessRecord r, MeshView.Service owner, MeshView.Sidecar sidecar) {
    String seenBy = owner.name() + " " + sidecar.kind();
    if (sidecar.inbound()) {
      String src;
      String srcNs = "";
      Optional<MeshView.Service> caller = r.peerSpiffeId().isEmpty() ? Optional.empty()
          : state.serviceWithId(r.peerSpiffeId());
      if (caller.isPresent()) {
        src = caller.get().name();
        srcNs = caller.get().namespace();
      } else {
        src = r.peerSpiffeId().isEmpty() ? r.peerHost() : r.peerSpiffeId();
      }
      return new ObservedConnection(r.time(), src, srcNs, owner.name(), owner.namespace(), r.peerSpiffeId(),
          owner.spiffeId(), sidecar.meshPort().orElse(sidecar.port()), seenBy, r.tls(), r.result(), r.reason(), r.detail(), r.bytesFromClient(),
          r.bytesToClient(), r.durationMs());
    }
    Optional<MeshView.Service> upstream = sidecar.upstream().flatMap(state::service);
    String dst = upstream.map(MeshView.Service::name).or(sidecar::upstream).orElse("unknown");
    String dstNs = upstream.map(MeshView.Service::namespace).orElse("");
    String serverId = !r.peerSpiffeId().isEmpty() ? r.peerSpiffeId()
        : sidecar.expectId().orElse(upstream.map(MeshView.Service::spiffeId).orElse(""));
    int port = sidecar.upstreamPort().orElse(sidecar.port());
    return new ObservedConnection(r.time(), owner.name(), owner.namespace(), dst, dstNs, owner.spiffeId(), serverId,
        port, seenBy, r.tls(), r.result(), r.reason(), r.detail(), r.bytesFromClient(), r.bytesToClient(),
        r.durationMs());
  }

  /**
   * Whether the edge view counts a line: every inbound line (the callee's sidecar decides and knows
   * the outcome), and an outbound line only when no inbound sidecar of the mesh can have seen the
   * connection (the upstream has none, or it was never reached), so that no connection counts twice.
   */
  boolean countsForEdges(AccessRecord r, MeshView.Sidecar sidecar) {
    if (sidecar.inbound()) {
      return true;
    }
    boolean upstreamHasInbound = sidecar.upstream().flatMap(state::service).map(MeshView.Service::hasInbound)
        .orElse(false);
    return !upstreamHasInbound || r.result().equals("upstream_failed");
  }
}
