package io.trustmesh.core.ca;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.x509.Extensions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * A signing authority: a CA certificate, the chain above it (without the root) and its private
 * key, plus the trust domains it may sign for (read from its name constraints).
 *
 * <p>Build one from files with {@link CaDirectory}, or from parts with {@link #of}; issue with
 * {@link Issuance}.
 */
public final class CertificateAuthority {
  private final List<X509Certificate> chain;
  private final PrivateKey key;
  private final List<TrustDomain> trustDomains;
  private final KeyType keyType;
  // Derived once: every certificate this CA signs names it as issuer and points at its key.
  private final X500Name subjectName;
  private final AuthorityKeyIdentifier keyIdentifierForChildren;

  private CertificateAuthority(List<X509Certificate> chain, PrivateKey key, List<TrustDomain> tds) {
    this.chain = List.copyOf(chain);
    this.key = key;
    this.trustDomains = List.copyOf(tds);
    X509Certificate cert = chain.get(0);
    this.keyType = KeyType.of(cert.getPublicKey());
    this.subjectName = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    this.keyIdentifierForChildren = Extensions.subjectKeyId(cert)
        .map(AuthorityKeyIdentifier::new)
        .orElseGet(() -> {
          try {
            return new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(cert.getPublicKey());
          } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 is needed for key identifiers: " + e.getMessage(), e);
          }
        });
  }

  /** This CA's subject, as the issuer name of what it signs. */
  X500Name subjectName() {
    return subjectName;
  }

  /** The authority key identifier its children carry: its own subject key identifier. */
  AuthorityKeyIdentifier keyIdentifierForChildren() {
    return keyIdentifierForChildren;
  }

  /**
   * A CA from its certificate chain (its own certificate first, then those above it; the root may
   * be left out) and its key.
   *
   * @throws BadInputException if the certificate is not a CA or the key does not match it
   */
  public static CertificateAuthority of(List<X509Certificate> chain, PrivateKey key) {
    if (chain.isEmpty()) {
      throw new BadInputException("a CA needs its certificate");
    }
    X509Certificate cert = chain.get(0);
    if (cert.getBasicConstraints() < 0) {
      throw new BadInputException(
          "certificate " + cert.getSubjectX500Principal().getName() + " is not a CA (CA:FALSE)");
    }
    boolean[] ku = cert.getKeyUsage();
    if (ku != null && !ku[5]) {
      throw new BadInputException("CA certificate " + cert.getSubjectX500Principal().getName()
          + " lacks the keyCertSign key usage");
    }
    if (!Pem.keysMatch(key, cert.getPublicKey())) {
      throw new BadInputException("the private key does not match CA certificate "
          + cert.getSubjectX500Principal().getName());
    }
    return new CertificateAuthority(chain, key, Extensions.trustDomainsOf(cert));
  }

  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** This CA's certificate followed by the intermediates above it; never the self-signed root. */
  public List<X509Certificate> chain() {
    X509Certificate last = chain.get(chain.size() - 1);
    if (chain.size() > 1 && isSelfSigned(last)) {
      return chain.subList(0, chain.size() - 1);
    }
    return isSelfSigned(chain.get(0)) ? List.of() : chain;
  }

  PrivateKey privateKey() {
    return key;
  }

  public KeyType keyType() {
    return keyType;
  }

  /** The trust domains this CA may sign for; empty means unconstrained. */
  public List<TrustDomain> trustDomains() {
    return trustDomains;
  }

  /** True when an SVID for {@code id} is within this CA's trust domains. */
  public boolean permits(SpiffeId id) {
    return trustDomains.isEmpty() || trustDomains.contains(id.trustDomain());
  }

  void requirePermits(SpiffeId id) {
    if (!permits(id)) {
      throw new IssuancePolicyException("SPIFFE ID " + id + " is outside the trust domain"
          + (trustDomains.size() > 1 ? "s" : "") + " this CA may sign for ("
          + trustDomains.stream().map(TrustDomain::name).collect(Collectors.joining(", ")) + ")");
    }
  }

  static boolean isSelfSigned(X509Certificate c) {
    return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
  }

  @Override
  public String toString() {
    return "CertificateAuthority{" + certificate().getSubjectX500Principal().getName()
        + ", trustDomains=" + trustDomains + ", privateKey=****}";
  }
}
