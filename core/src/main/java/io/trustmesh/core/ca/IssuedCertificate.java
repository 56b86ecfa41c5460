package io.trustmesh.core.ca;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What an {@link Issuance} produced.
 *
 * @param certificate the new certificate
 * @param chain the new certificate followed by its issuer's chain, without the root
 * @param keyPair the key pair, when the issuance generated one (absent for a signed CSR)
 * @param requestedNotAfter when the certificate would have expired had it not been clamped
 * @param clamped true when the requested lifetime outlived the issuer and was cut to its expiry
 */
public record IssuedCertificate(
    X509Certificate certificate,
    List<X509Certificate> chain,
    Optional<KeyPair> keyPair,
    Instant requestedNotAfter,
    boolean clamped) {

  public IssuedCertificate {
    chain = List.copyOf(chain);
  }

  @Override
  public String toString() {
    return "IssuedCertificate{" + certificate.getSubjectX500Principal().getName()
        + ", serial=" + certificate.getSerialNumber().toString(16)
        + ", notAfter=" + certificate.getNotAfter().toInstant()
        + (clamped ? " (clamped)" : "") + ", privateKey=****}";
  }
}
