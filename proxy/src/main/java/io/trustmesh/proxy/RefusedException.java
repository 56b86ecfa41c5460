package io.trustmesh.proxy;

import io.trustmesh.core.verify.Failure;
import java.security.cert.CertificateException;
import java.util.Optional;

/**
 * A peer refused by one of the proxy's own trust checks (DNS-name profile), with the verifier's
 * reason; no failure means the peer presented no certificate at all.
 */
final class RefusedException extends CertificateException {
  private static final long serialVersionUID = 1L;
  private final transient Failure failure;

  RefusedException(String reason, Failure failure) {
    super(reason);
    this.failure = failure;
  }

  Optional<Failure> failure() {
    return Optional.ofNullable(failure);
  }
}
