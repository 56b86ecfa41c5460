package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.MtlsMode;
import io.trustmesh.policy.model.PeerAuthentication;
import io.trustmesh.policy.model.PortOverride;
import java.util.Optional;

/**
 * The result of Istio's composition for one workload: the policy chosen at each scope (each may be
 * absent), the workload-wide mode after inheritance, and a port's mode.
 */
public record IstioWorkloadPolicy(
    Optional<PeerAuthentication> mesh,
    Optional<PeerAuthentication> namespace,
    Optional<PeerAuthentication> workload,
    MtlsMode mode,
    Optional<PeerAuthentication> modeFrom) {

  /** The port-level override that applies to a container port, if the workload policy has one. */
  public Optional<PortOverride> override(int port) {
    return workload.flatMap(w -> w.portLevel().stream().filter(p -> p.port() == port).findFirst());
  }

  /** A port's mode: its override (a port-level UNSET takes the workload mode), else the workload mode. */
  public MtlsMode modeFor(int port) {
    return override(port).map(o -> o.mode() == MtlsMode.UNSET ? mode : o.mode()).orElse(mode);
  }
}
