package io.trustmesh.proxy;

import java.security.cert.CertificateException;

/**
 * A peer refused by our verifier, thrown into the TLS library so that the handshake fails. The
 * authorize stage reads the verdict from the handshake's {@link HandshakeOutcomes} slot; this
 * exception carries it too, for a failure reported before the slot could be read.
 */
final class RefusedException extends CertificateException {
  private static final long serialVersionUID = 1L;
  private final transient PeerVerdict verdict;

  RefusedException(PeerVerdict verdict) {
    super(verdict.refusal().detail());
    this.verdict = verdict;
  }

  PeerVerdict verdict() {
    return verdict;
  }
}
