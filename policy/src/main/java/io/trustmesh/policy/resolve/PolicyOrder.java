package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.ObjectRef;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Function;

/**
 * Istio's order for competing policies ({@code sortConfigByCreationTime}): oldest
 * {@code creationTimestamp} first, then by name, then by namespace. A policy without a timestamp
 * (the usual case for files in Git) sorts as if created at the epoch, so among those the name
 * decides, which is what Istio does when timestamps tie.
 */
final class PolicyOrder {
  private PolicyOrder() {}

  static <T> Comparator<T> oldestFirst(Function<T, Optional<Instant>> created, Function<T, ObjectRef> ref) {
    return Comparator.<T, Instant>comparing(t -> created.apply(t).orElse(Instant.EPOCH))
        .thenComparing(t -> ref.apply(t).name())
        .thenComparing(t -> ref.apply(t).namespace());
  }
}
