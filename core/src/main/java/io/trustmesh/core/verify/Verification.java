package io.trustmesh.core.verify;

import io.trustmesh.core.spiffe.SpiffeId;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * The verdict on a chain: valid with the path that proves it (leaf first, trust anchor last), or
 * invalid with one precise reason in words a person can act on.
 */
public final class Verification {
  private final List<X509Certificate> path;
  private final Optional<SpiffeId> spiffeId;
  private final Failure failure;
  private final String reason;

  private Verification(List<X509Certificate> path, Optional<SpiffeId> id, Failure failure, String reason) {
    this.path = List.copyOf(path);
    this.spiffeId = id;
    this.failure = failure;
    this.reason = reason;
  }

  static Verification valid(List<X509Certificate> path, Optional<SpiffeId> id) {
    return new Verification(path, id, null, null);
  }

  static Verification invalid(Failure failure, String reason) {
    return new Verification(List.of(), Optional.empty(), failure, reason);
  }

  public boolean isValid() {
    return failure == null;
  }

  /** The validated path, leaf first, trust anchor last; empty when invalid. */
  public List<X509Certificate> path() {
    return path;
  }

  /** The leaf's SPIFFE ID, when it is a valid X.509-SVID. */
  public Optional<SpiffeId> spiffeId() {
    return spiffeId;
  }

  public Optional<Failure> failure() {
    return Optional.ofNullable(failure);
  }

  /** One line saying why the chain was refused; empty when valid. */
  public String reason() {
    return reason == null ? "" : reason;
  }

  @Override
  public String toString() {
    return isValid() ? "valid" + spiffeId.map(id -> " (" + id + ")").orElse("") : "invalid: " + reason;
  }
}
