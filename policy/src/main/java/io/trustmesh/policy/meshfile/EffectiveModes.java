package io.trustmesh.policy.meshfile;

import io.trustmesh.policy.model.MtlsMode;
import io.trustmesh.policy.model.ObjectRef;
import io.trustmesh.policy.model.PeerAuthentication;
import io.trustmesh.policy.model.PortOverride;
import io.trustmesh.policy.model.Workload;
import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.resolve.IstioWorkloadPolicy;
import io.trustmesh.policy.resolve.PeerAuthenticationResolver;
import io.trustmesh.policy.source.SourceLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Effective modes of a mesh file, decided by the very resolver {@code trustmesh analyze} uses for
 * Istio ({@link PeerAuthenticationResolver}): the mesh file's levels become the PeerAuthentications
 * Istio would hold (mesh-wide in the root namespace, one per namespace, one per service with its
 * port-level modes), so that "port > workload > namespace > mesh" cannot drift between the two.
 */
final class EffectiveModes {
  static final String ROOT_NAMESPACE = AnalysisOptions.DEFAULT_ROOT_NAMESPACE;
  static final String APP_LABEL = "app";

  private final PeerAuthenticationResolver resolver;

  private EffectiveModes(MeshModel model) {
    this.resolver = new PeerAuthenticationResolver(model, ROOT_NAMESPACE);
  }

  static EffectiveModes of(MeshFile mesh) {
    MeshModel.Builder b = new MeshModel.Builder();
    b.peerAuthentications.add(policy(ROOT_NAMESPACE, "default", Map.of(), Optional.of(mesh.meshMode()), List.of()));
    mesh.namespaceModes().forEach((ns, mode) ->
        b.peerAuthentications.add(policy(ns, "default", Map.of(), Optional.of(mode), List.of())));
    for (MeshService s : mesh.services()) {
      List<PortOverride> ports = new ArrayList<>();
      for (MeshPort p : s.ports()) {
        p.mode().ifPresent(m -> ports.add(new PortOverride(p.port(), MtlsMode.valueOf(m.name()), SourceLocation.none())));
      }
      if (s.mode().isPresent() || !ports.isEmpty()) {
        b.peerAuthentications.add(policy(s.namespace(), s.name(), Map.of(APP_LABEL, s.name()), s.mode(), ports));
      }
      b.workloads.add(workload(s));
    }
    return new EffectiveModes(b.build());
  }

  Mode mode(MeshService s, int port) {
    IstioWorkloadPolicy policy = resolver.resolve(workload(s));
    return Mode.valueOf(policy.modeFor(port).name());
  }

  private static Workload workload(MeshService s) {
    return new Workload(new ObjectRef("Deployment", s.namespace(), s.name(), SourceLocation.none()),
        Map.of(APP_LABEL, s.name()), Map.of(), List.of(), Set.of());
  }

  private static PeerAuthentication policy(String ns, String name, Map<String, String> selector, Optional<Mode> mode,
      List<PortOverride> ports) {
    MtlsMode m = mode.map(x -> MtlsMode.valueOf(x.name())).orElse(MtlsMode.UNSET);
    return new PeerAuthentication(new ObjectRef("PeerAuthentication", ns, name, SourceLocation.none()), selector, m,
        ports, Optional.empty());
  }
}
