package io.trustmesh.agent;

import java.util.List;
import java.util.Set;

/**
 * A registration entry as the agent serves it: which SPIFFE ID a workload gets when its attested
 * selectors include all of {@code selectors}. The agent's own type, so that the Workload API side
 * never sees the node API's wire format. {@code federatesWith} names the foreign trust domains
 * (e.g. {@code partner.org}) whose bundles the entry's workloads get as {@code federated_bundles}.
 */
public record Registration(String id, String spiffeId, List<String> selectors, String hint,
    List<String> federatesWith) {
  /** An entry that federates with no foreign trust domain. */
  public Registration(String id, String spiffeId, List<String> selectors, String hint) {
    this(id, spiffeId, selectors, hint, List.of());
  }

  public Registration {
    selectors = List.copyOf(selectors);
    federatesWith = List.copyOf(federatesWith);
  }

  /** Whether a workload with {@code attested} selectors is entitled to this entry's identity. */
  public boolean matches(Set<String> attested) {
    return attested.containsAll(selectors);
  }
}
