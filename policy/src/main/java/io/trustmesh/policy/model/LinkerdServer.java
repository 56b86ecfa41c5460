package io.trustmesh.policy.model;

import java.util.Map;

/**
 * Linkerd's {@code Server}: a port (number or name) on the pods its {@code podSelector} matches.
 * {@code accessPolicy} is the v1beta3 default for traffic no authorization admits ({@code deny}
 * when not set).
 */
public record LinkerdServer(ObjectRef ref, Map<String, String> podSelector, String port, String accessPolicy) {
  public LinkerdServer {
    podSelector = Map.copyOf(podSelector);
  }
}
