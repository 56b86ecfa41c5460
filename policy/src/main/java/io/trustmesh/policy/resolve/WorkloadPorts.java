package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.ContainerPort;
import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.model.MtlsMode;
import io.trustmesh.policy.model.PeerAuthentication;
import io.trustmesh.policy.model.PortOverride;
import io.trustmesh.policy.model.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The effective mode of every workload port, whatever the dataplane: Istio's composition for
 * sidecar and ambient workloads, {@link LinkerdResolver} for Linkerd, {@code NO_PROXY} for
 * workloads without a proxy.
 */
public final class WorkloadPorts {
  private final DataplaneResolver dataplanes;
  private final PeerAuthenticationResolver istio;
  private final LinkerdResolver linkerd;
  private final Map<Workload, List<PortDecision>> decisions = new LinkedHashMap<>();
  private final Map<Workload, IstioWorkloadPolicy> istioPolicies = new LinkedHashMap<>();

  public WorkloadPorts(MeshModel model, DataplaneResolver dataplanes, PeerAuthenticationResolver istio,
      LinkerdResolver linkerd) {
    this.dataplanes = dataplanes;
    this.istio = istio;
    this.linkerd = linkerd;
    for (Workload w : model.workloads()) {
      decisions.put(w, decide(w));
    }
  }

  public List<PortDecision> all() {
    return decisions.values().stream().flatMap(List::stream).toList();
  }

  public List<PortDecision> of(Workload w) {
    return decisions.getOrDefault(w, List.of());
  }

  public Optional<PortDecision> decision(Workload w, int port) {
    return of(w).stream().filter(d -> d.port() == port).findFirst();
  }

  public Optional<IstioWorkloadPolicy> istioPolicy(Workload w) {
    return Optional.ofNullable(istioPolicies.get(w));
  }

  public Dataplane dataplane(Workload w) {
    return dataplanes.of(w);
  }

  /** The mode of a port the workload does not declare (a Service may still send to it). */
  public ServerMode defaultMode(Workload w) {
    Dataplane dp = dataplanes.of(w);
    if (dp == Dataplane.NONE) {
      return ServerMode.NO_PROXY;
    }
    return istioPolicy(w).map(p -> ServerMode.of(p.mode())).orElse(ServerMode.PERMISSIVE);
  }

  private List<PortDecision> decide(Workload w) {
    Dataplane dp = dataplanes.of(w);
    List<PortDecision> out = new ArrayList<>();
    if (dp.istio()) {
      istioPolicies.put(w, istio.resolve(w));
    }
    for (ContainerPort p : w.ports()) {
      out.add(switch (dp) {
        case ISTIO_SIDECAR, ISTIO_AMBIENT -> istioPort(w, p, dp, istioPolicies.get(w));
        case LINKERD -> linkerd.decide(w, p);
        case NONE -> new PortDecision(w, p.port(), p.name(), dp, ServerMode.NO_PROXY, Optional.empty(), p.location(),
            "no sidecar or ambient dataplane: plaintext only");
      });
    }
    return out;
  }

  private static PortDecision istioPort(Workload w, ContainerPort p, Dataplane dp, IstioWorkloadPolicy policy) {
    Optional<PortOverride> override = policy.override(p.port());
    if (override.isPresent()) {
      PeerAuthentication pa = policy.workload().orElseThrow();
      boolean unset = override.get().mode() == MtlsMode.UNSET;
      return new PortDecision(w, p.port(), p.name(), dp, ServerMode.of(policy.modeFor(p.port())), Optional.of(pa.ref()),
          override.get().location(), unset ? "port-level UNSET takes the workload mode " + policy.mode()
              : "port-level " + override.get().mode());
    }
    if (policy.modeFrom().isEmpty()) {
      return new PortDecision(w, p.port(), p.name(), dp, ServerMode.PERMISSIVE, Optional.empty(), p.location(),
          "no PeerAuthentication sets a mode: Istio's default PERMISSIVE");
    }
    PeerAuthentication from = policy.modeFrom().get();
    String scope = policy.workload().filter(x -> x == from).isPresent() ? "workload"
        : policy.namespace().filter(x -> x == from).isPresent() ? "namespace" : "mesh";
    return new PortDecision(w, p.port(), p.name(), dp, ServerMode.of(policy.mode()), Optional.of(from.ref()),
        from.ref().location(), scope + "-wide " + policy.mode());
  }
}
