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

  /**
   * Whether Kubernetes refuses this policy, so that it never exists in a cluster: Istio's CRD
   * (manifests/charts/base/files/crd-all.gen.yaml, x-kubernetes-validations "portLevelMtls requires
   * selector"; also pkg/config/validation ValidatePeerAuthentication) rejects {@code portLevelMtls}
   * without a selector. Neither its ports nor its top-level mode apply.
   */
  public boolean refusedByIstio() {
    return !hasSelector() && !portLevel.isEmpty();
  }
}
