package io.trustmesh.policy.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's {@code PeerAuthentication}: which mTLS mode a workload's sidecar accepts.
 *
 * <p>{@code selector} is {@code spec.selector.matchLabels}; an empty map means the policy has no
 * selector (Istio treats an empty {@code matchLabels} the same as none).
 */
public record PeerAuthentication(
    ObjectRef ref,
    Map<String, String> selector,
    MtlsMode mode,
    List<PortOverride> portLevel,
    Optional<Instant> created) {

  public PeerAuthentication {
    selector = Map.copyOf(selector);
    portLevel = List.copyOf(portLevel);
  }

  public boolean hasSelector() {
    return !selector.isEmpty();
  }
}
