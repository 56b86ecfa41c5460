package io.trustmesh.policy.model;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Linkerd's {@code Server}: a port (number or name) on the pods its {@code podSelector} matches.
 * {@code accessPolicy} is the v1beta3 default for traffic no authorization admits ({@code deny}
 * when not set). {@code created} is {@code metadata.creationTimestamp}: when several Servers select
 * one pod port, Linkerd uses the oldest.
 */
public record LinkerdServer(ObjectRef ref, Map<String, String> podSelector, String port, String accessPolicy,
    Optional<Instant> created) {
  public LinkerdServer {
    podSelector = Map.copyOf(podSelector);
  }
}
