package io.trustmesh.policy.model;

import io.trustmesh.policy.source.SourceLocation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * cert-manager {@code Certificate}: lifetime, renewal, usages, key and issuer. Locations point at
 * the field each rule is about.
 */
public record Certificate(
    ObjectRef ref,
    Optional<Duration> duration,
    Optional<Duration> renewBefore,
    Optional<Integer> renewBeforePercentage,
    List<String> usages,
    String keyAlgorithm,
    Optional<Integer> keySize,
    boolean isCa,
    IssuerRef issuer,
    Locations at) {

  public Certificate {
    usages = List.copyOf(usages);
  }

  /** cert-manager's default lifetime when {@code duration} is not set: 90 days. */
  public static final Duration DEFAULT_DURATION = Duration.ofDays(90);

  public Duration effectiveDuration() {
    return duration.orElse(DEFAULT_DURATION);
  }

  /** {@code spec.issuerRef}: kind defaults to Issuer, group to cert-manager.io. */
  public record IssuerRef(String name, String kind, String group) {
    public boolean certManager() {
      return group.isEmpty() || group.equals("cert-manager.io");
    }
  }

  /** Where the fields were read. */
  public record Locations(
      SourceLocation duration, SourceLocation renewBefore, SourceLocation usages, SourceLocation privateKey,
      SourceLocation issuerRef) {}
}
