package io.trustmesh.agent;

import java.util.List;
import java.util.Set;

/**
 * A registration entry as the agent serves it: which SPIFFE ID a workload gets when its attested
 * selectors include all of {@code selectors}. The agent's own type, so that the Workload API side
 * never sees the node API's wire format.
 */
public record Registration(String id, String spiffeId, List<String> selectors, String hint) {
  public Registration {
    selectors = List.copyOf(selectors);
  }

  /** Whether a workload with {@code attested} selectors is entitled to this entry's identity. */
  public boolean matches(Set<String> attested) {
    return attested.containsAll(selectors);
  }
}
