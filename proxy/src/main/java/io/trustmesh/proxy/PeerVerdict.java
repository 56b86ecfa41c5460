package io.trustmesh.proxy;

import java.security.cert.X509Certificate;

/**
 * What our verifier decided about the certificate a peer presented in one handshake: admitted
 * (with the leaf and its SPIFFE ID, parsed once, by the verifier) or refused (with the reason the
 * access log and metrics report, and the X.509 error code whose TLS alert tells the peer why).
 *
 * @param peerId the leaf's SPIFFE ID; null when refused before it was known, or for a server
 *     checked by DNS name
 * @param leaf the peer's leaf certificate when admitted
 * @param refusal null when admitted
 * @param verifyError the X509_V_ERR code BoringSSL turns into the alert; 0 for none in particular
 */
record PeerVerdict(String peerId, X509Certificate leaf, Reasons.Verdict refusal, int verifyError) {
  static PeerVerdict admitted(X509Certificate leaf, String peerId) {
    return new PeerVerdict(peerId, leaf, null, 0);
  }

  static PeerVerdict refused(Reasons.Verdict refusal, int verifyError) {
    return new PeerVerdict(refusal.peerId(), null, refusal, verifyError);
  }

  boolean isAdmitted() {
    return refusal == null;
  }
}
