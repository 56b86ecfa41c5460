package io.trustmesh.core.ca;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an {@link Issuance} produced: the new certificate as it was signed (DER), what the issuance
 * decided (serial, expiry, whether the lifetime was clamped), the issuer's chain, and the key pair
 * when the issuance generated one (absent for a signed CSR).
 *
 * <p>The certificate is parsed into an {@link X509Certificate} only when something asks for it: a
 * CA server that hands the DER straight to the wire and records the serial and expiry never pays
 * for the parse.
 */
public final class IssuedCertificate {
  private final byte[] encoded;
  private final BigInteger serialNumber;
  private final Instant notAfter;
  private final List<X509Certificate> issuerChain;
  private final Optional<KeyPair> keyPair;
  private final Instant requestedNotAfter;
  private final boolean clamped;
  private volatile X509Certificate certificate;

  IssuedCertificate(byte[] encoded, BigInteger serialNumber, Instant notAfter,
      List<X509Certificate> issuerChain, Optional<KeyPair> keyPair, Instant requestedNotAfter, boolean clamped) {
    this.encoded = encoded;
    this.serialNumber = serialNumber;
    this.notAfter = notAfter;
    this.issuerChain = List.copyOf(issuerChain);
    this.keyPair = keyPair;
    this.requestedNotAfter = requestedNotAfter;
    this.clamped = clamped;
  }

  /** The new certificate, parsed on first use. */
  public X509Certificate certificate() {
    X509Certificate c = certificate;
    if (c == null) {
      try {
        c = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(encoded));
      } catch (CertificateException e) {
        throw new IllegalStateException("cannot parse the certificate just signed: " + e.getMessage(), e);
      }
      certificate = c;
    }
    return c;
  }

  /** The new certificate followed by its issuer's chain, without the root. */
  public List<X509Certificate> chain() {
    List<X509Certificate> chain = new ArrayList<>(issuerChain.size() + 1);
    chain.add(certificate());
    chain.addAll(issuerChain);
    return List.copyOf(chain);
  }

  /** {@link #chain()} as DER, without parsing the new certificate. */
  public List<byte[]> encodedChain() {
    List<byte[]> chain = new ArrayList<>(issuerChain.size() + 1);
    chain.add(encoded.clone());
    for (X509Certificate c : issuerChain) {
      try {
        chain.add(c.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("cannot encode issuer " + c.getSubjectX500Principal() + ": " + e.getMessage(), e);
      }
    }
    return chain;
  }

  /** The new certificate's DER encoding. */
  public byte[] encoded() {
    return encoded.clone();
  }

  public BigInteger serialNumber() {
    return serialNumber;
  }

  /** The new certificate's notAfter (after any clamping). */
  public Instant notAfter() {
    return notAfter;
  }

  /** The key pair, when the issuance generated one (absent for a signed CSR). */
  public Optional<KeyPair> keyPair() {
    return keyPair;
  }

  /** When the certificate would have expired had it not been clamped. */
  public Instant requestedNotAfter() {
    return requestedNotAfter;
  }

  /** True when the requested lifetime outlived the issuer and was cut to its expiry. */
  public boolean clamped() {
    return clamped;
  }

  @Override
  public String toString() {
    return "IssuedCertificate{serial=" + io.trustmesh.core.x509.Serials.hex(serialNumber) + ", notAfter=" + notAfter
        + (clamped ? " (clamped)" : "") + ", privateKey=****}";
  }
}
