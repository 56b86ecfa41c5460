package io.trustmesh.core.ca;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.Durations;
import io.trustmesh.core.x509.Extensions;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * The three certificate profiles of a trustmesh hierarchy, as builders with safe defaults.
 *
 * <pre>{@code
 * IssuedCertificate root = Issuance.root(td).ttl(Duration.ofDays(3650)).selfSigned();
 * IssuedCertificate cluster = Issuance.intermediate("cluster-1", td).signedBy(rootCa);
 * IssuedCertificate svid = Issuance.workload(id).dnsNames("web.prod.svc").ttl(Duration.ofHours(1)).signedBy(ca);
 * }</pre>
 *
 * <ul>
 *   <li><b>root</b>: self-signed; CA:TRUE and keyCertSign + cRLSign, both critical; SKI; a
 *       {@code spiffe://td} URI SAN naming its trust domain; 10 years by default.
 *   <li><b>intermediate</b>: CA:TRUE with path length 1 by default (room for a CA server's own
 *       signing CA below it); keyCertSign + cRLSign critical; AKI/SKI; critical name constraints
 *       permitting only the URI host of each of its trust domains; 1 year by default, clamped to its
 *       issuer's expiry.
 *   <li><b>workload X.509-SVID</b>: CA:FALSE critical; digitalSignature (plus keyEncipherment for
 *       RSA) critical; EKU serverAuth + clientAuth; exactly one URI SAN, the SPIFFE ID, plus optional
 *       DNS SANs; 24h by default, at most 24h unless {@link WorkloadBuilder#allowLongTtl()}; clamped
 *       to the issuer's expiry.
 * </ul>
 *
 * Every certificate gets a positive 128-bit serial (the issuance time in milliseconds, then 80
 * random bits: see {@link #serial}) and a notBefore backdated by one minute
 * for clock skew (never before the issuer's own notBefore).
 */
public final class Issuance {
  public static final Duration DEFAULT_ROOT_TTL = Duration.ofDays(3650);
  public static final Duration DEFAULT_INTERMEDIATE_TTL = Duration.ofDays(365);
  public static final Duration DEFAULT_WORKLOAD_TTL = Duration.ofHours(24);
  public static final Duration MAX_WORKLOAD_TTL = Duration.ofHours(24);
  public static final Duration BACKDATE = Duration.ofMinutes(1);
  public static final int DEFAULT_PATH_LEN = 1;

  private static final SecureRandom RANDOM = new SecureRandom();

  // Neither is thread-safe, and looking them up per certificate shows in a CA server's profile.
  private static final ThreadLocal<JcaX509ExtensionUtils> EXTENSION_UTILS = ThreadLocal.withInitial(() -> {
    try {
      return new JcaX509ExtensionUtils();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-1 is needed for key identifiers: " + e.getMessage(), e);
    }
  });
  private Issuance() {}

  public static RootBuilder root(TrustDomain trustDomain) {
    return new RootBuilder(trustDomain);
  }

  public static IntermediateBuilder intermediate(String name, List<TrustDomain> trustDomains) {
    return new IntermediateBuilder(name, trustDomains);
  }

  public static IntermediateBuilder intermediate(String name, TrustDomain trustDomain) {
    return new IntermediateBuilder(name, List.of(trustDomain));
  }

  public static WorkloadBuilder workload(SpiffeId id) {
    return new WorkloadBuilder(id);
  }

  /** Settings every profile shares. */
  abstract static class Base<B extends Base<B>> {
    Duration ttl;
    KeyType keyType = KeyType.DEFAULT;
    Clock clock = Clock.systemUTC();
    PublicKey publicKey;

    Base(Duration defaultTtl) {
      this.ttl = defaultTtl;
    }

    abstract B self();

    public B ttl(Duration ttl) {
      if (ttl == null || ttl.isNegative() || ttl.isZero()) {
        throw new BadInputException("ttl must be positive: " + ttl);
      }
      this.ttl = ttl;
      return self();
    }

    /** The key type to generate; ignored when {@link #publicKey} is given. */
    public B keyType(KeyType keyType) {
      this.keyType = keyType;
      return self();
    }

    public B clock(Clock clock) {
      this.clock = clock;
      return self();
    }

    /** Certify this key (from a CSR, say) instead of generating a key pair. */
    public B publicKey(PublicKey publicKey) {
      this.publicKey = publicKey;
      return self();
    }

    Optional<KeyPair> generateIfNeeded() {
      return publicKey == null ? Optional.of(keyType.generate()) : Optional.empty();
    }
  }

  /** Builds a self-signed root. */
  public static final class RootBuilder extends Base<RootBuilder> {
    private final TrustDomain trustDomain;
    private String commonName = "trustmesh root CA";

    RootBuilder(TrustDomain trustDomain) {
      super(DEFAULT_ROOT_TTL);
      this.trustDomain = trustDomain;
    }

    @Override
    RootBuilder self() {
      return this;
    }

    /** The subject's CN (default {@code trustmesh root CA}); a CA server names each self-signed signing CA apart. */
    public RootBuilder commonName(String commonName) {
      if (commonName == null || commonName.isBlank() || commonName.length() > 64) {
        throw new BadInputException("a CA common name must be 1 to 64 characters: '" + commonName + "'");
      }
      this.commonName = commonName;
      return this;
    }

    public IssuedCertificate selfSigned() {
      KeyPair pair = keyType.generate();
      Instant now = clock.instant();
      Instant notBefore = now.minus(BACKDATE).truncatedTo(ChronoUnit.SECONDS);
      Instant notAfter = now.plus(ttl).truncatedTo(ChronoUnit.SECONDS);
      X500Name subject = name(commonName, trustDomain.name());
      try {
        JcaX509ExtensionUtils utils = EXTENSION_UTILS.get();
        BigInteger serial = serial(now);
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(subject, serial, Times.of(notBefore),
            Times.of(notAfter), subject, spki);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(spki));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
            new GeneralName(GeneralName.uniformResourceIdentifier, trustDomain.idString())));
        byte[] der = sign(b, pair.getPrivate(), keyType);
        return new IssuedCertificate(der, serial, notAfter, List.of(), Optional.of(pair), notAfter, false);
      } catch (GeneralSecurityException | CertIOException e) {
        throw new IllegalStateException("cannot build root certificate: " + e.getMessage(), e);
      }
    }
  }

  /** Builds an intermediate CA constrained to its trust domains. */
  public static final class IntermediateBuilder extends Base<IntermediateBuilder> {
    private final String name;
    private final List<TrustDomain> trustDomains;
    private final List<String> dnsSuffixes = new ArrayList<>();
    private int pathLen = DEFAULT_PATH_LEN;
    private static final Pattern DNS_SUFFIX =
        Pattern.compile("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    IntermediateBuilder(String name, List<TrustDomain> trustDomains) {
      super(DEFAULT_INTERMEDIATE_TTL);
      if (trustDomains.isEmpty()) {
        throw new BadInputException("an intermediate needs at least one trust domain");
      }
      this.name = name;
      this.trustDomains = List.copyOf(new LinkedHashSet<>(trustDomains));
    }

    @Override
    IntermediateBuilder self() {
      return this;
    }

    /**
     * Also permits these DNS name suffixes (critical permitted dNSName subtrees, RFC 5280
     * 4.2.1.10): {@code prod.svc} admits {@code web.prod.svc} and {@code prod.svc}, nothing else.
     * Without any, the URI constraints leave the DNS space unconstrained: the intermediate can sign
     * a leaf for any DNS name, {@code www.google.com} included, that whoever trusts its root accepts.
     */
    public IntermediateBuilder permitDns(List<String> suffixes) {
      for (String suffix : suffixes) {
        if (!DNS_SUFFIX.matcher(suffix).matches() || suffix.length() > 253) {
          throw new BadInputException("permit-dns must be a DNS name suffix such as prod.svc.cluster.local "
              + "(letters, digits, hyphens, dots; no wildcard, no leading dot): " + suffix);
        }
        dnsSuffixes.add(suffix.toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /** 0 for a CA that signs workloads directly; 1 (default) leaves room for one CA below. */
    public IntermediateBuilder pathLen(int pathLen) {
      if (pathLen < 0) {
        throw new BadInputException("path length must be 0 or more: " + pathLen);
      }
      this.pathLen = pathLen;
      return this;
    }

    public IssuedCertificate signedBy(CertificateAuthority issuer) {
      int issuerPathLen = issuer.certificate().getBasicConstraints();
      if (issuerPathLen != Integer.MAX_VALUE && pathLen >= issuerPathLen) {
        throw new IssuancePolicyException("path length " + pathLen + " does not fit under issuer "
            + issuer.certificate().getSubjectX500Principal().getName() + " (path length " + issuerPathLen + ")");
      }
      for (TrustDomain td : trustDomains) {
        if (!issuer.trustDomains().isEmpty() && !issuer.trustDomains().contains(td)
            && !CertificateAuthority.isSelfSigned(issuer.certificate())) {
          throw new IssuancePolicyException("trust domain " + td + " is outside the issuer's "
              + issuer.trustDomains());
        }
      }
      Optional<KeyPair> generated = generateIfNeeded();
      PublicKey subjectKey = generated.map(KeyPair::getPublic).orElse(publicKey);
      List<GeneralSubtree> permitted = new ArrayList<>();
      List<GeneralName> uris = new ArrayList<>();
      for (TrustDomain td : trustDomains) {
        permitted.add(new GeneralSubtree(new GeneralName(GeneralName.uniformResourceIdentifier, td.name())));
        uris.add(new GeneralName(GeneralName.uniformResourceIdentifier, td.idString()));
      }
      for (String suffix : dnsSuffixes) {
        permitted.add(new GeneralSubtree(new GeneralName(GeneralName.dNSName, suffix)));
      }
      Instant now = clock.instant();
      Validity v = Validity.under(issuer.certificate(), now, ttl);
      try {
        JcaX509ExtensionUtils utils = EXTENSION_UTILS.get();
        BigInteger serial = serial(now);
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(subjectKey.getEncoded());
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(
            issuer.subjectName(), serial, Times.of(v.notBefore), Times.of(v.notAfter),
            name("trustmesh intermediate CA " + name, trustDomains.get(0).name()),
            spki);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLen));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.authorityKeyIdentifier, false,
            authorityKeyId(utils, issuer.certificate()));
        b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(spki));
        b.addExtension(Extension.nameConstraints, true,
            new NameConstraints(permitted.toArray(new GeneralSubtree[0]), null));
        b.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(uris.toArray(new GeneralName[0])));
        byte[] der = sign(b, issuer.privateKey(), issuer.keyType());
        return new IssuedCertificate(der, serial, v.notAfter, issuer.chain(), generated, v.requestedNotAfter, v.clamped);
      } catch (GeneralSecurityException | CertIOException e) {
        throw new IllegalStateException("cannot build intermediate certificate: " + e.getMessage(), e);
      }
    }
  }

  /** Builds a workload X.509-SVID. */
  public static final class WorkloadBuilder extends Base<WorkloadBuilder> {
    private final SpiffeId id;
    private final Set<String> dnsNames = new LinkedHashSet<>();
    private boolean allowLongTtl;

    WorkloadBuilder(SpiffeId id) {
      super(DEFAULT_WORKLOAD_TTL);
      this.id = id;
    }

    @Override
    WorkloadBuilder self() {
      return this;
    }

    public WorkloadBuilder dnsNames(String... names) {
      return dnsNames(List.of(names));
    }

    public WorkloadBuilder dnsNames(List<String> names) {
      for (String n : names) {
        dnsNames.add(DnsNames.validate(n));
      }
      return this;
    }

    /** Permits a TTL above {@link #MAX_WORKLOAD_TTL}; a weaker setting, named as such. */
    public WorkloadBuilder allowLongTtl() {
      this.allowLongTtl = true;
      return this;
    }

    public IssuedCertificate signedBy(CertificateAuthority issuer) {
      return prepare(issuer).sign();
    }

    /**
     * Decides everything but the signature: the policy checks ({@code signedBy}'s), the serial and
     * the validity. A CA server records the serial and expiry of a {@link Prepared} certificate
     * durably before it spends a signature on it, so the write overlaps with the signing.
     */
    public Prepared prepare(CertificateAuthority issuer) {
      issuer.requirePermits(id);
      if (ttl.compareTo(MAX_WORKLOAD_TTL) > 0 && !allowLongTtl) {
        throw new IssuancePolicyException("workload TTL " + Durations.format(ttl) + " exceeds the "
            + Durations.format(MAX_WORKLOAD_TTL) + " maximum for short-lived identities"
            + " (pass --insecure-allow-long-ttl to force it)");
      }
      if (publicKey != null) {
        KeyType.of(publicKey); // refuses keys we would not generate ourselves (e.g. RSA-1024)
      }
      Instant now = clock.instant();
      return new Prepared(id, List.copyOf(dnsNames), issuer, generateIfNeeded(), publicKey,
          Validity.under(issuer.certificate(), now, ttl), serial(now));
    }
  }

  /**
   * A workload certificate with its serial and validity decided and its policy checked, not yet
   * signed: {@link #sign()} signs exactly what {@link #serialNumber()} and {@link #notAfter()} say.
   */
  public static final class Prepared {
    private final SpiffeId id;
    private final List<String> dnsNames;
    private final CertificateAuthority issuer;
    private final Optional<KeyPair> generated;
    private final PublicKey subjectKey;
    private final Validity validity;
    private final BigInteger serial;

    private Prepared(SpiffeId id, List<String> dnsNames, CertificateAuthority issuer, Optional<KeyPair> generated,
        PublicKey publicKey, Validity validity, BigInteger serial) {
      this.id = id;
      this.dnsNames = dnsNames;
      this.issuer = issuer;
      this.generated = generated;
      this.subjectKey = generated.map(KeyPair::getPublic).orElse(publicKey);
      this.validity = validity;
      this.serial = serial;
    }

    public BigInteger serialNumber() {
      return serial;
    }

    /** The notAfter the certificate will carry (clamped to the issuer's expiry). */
    public Instant notAfter() {
      return validity.notAfter;
    }

    public IssuedCertificate sign() {
      Validity v = validity;
      boolean rsa = subjectKey.getAlgorithm().equals("RSA");
      List<GeneralName> sans = new ArrayList<>();
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString()));
      for (String dns : dnsNames) {
        sans.add(new GeneralName(GeneralName.dNSName, dns));
      }
      X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE)
          .addRDN(BCStyle.O, "trustmesh")
          .addRDN(BCStyle.OU, id.trustDomain().name());
      if (!dnsNames.isEmpty() && dnsNames.get(0).length() <= 64) {
        subject.addRDN(BCStyle.CN, dnsNames.get(0));
      }
      try {
        JcaX509ExtensionUtils utils = EXTENSION_UTILS.get();
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(subjectKey.getEncoded());
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(
            issuer.subjectName(), serial, Times.of(v.notBefore), Times.of(v.notAfter),
            subject.build(), spki);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(
            rsa ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        b.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(sans.toArray(new GeneralName[0])));
        b.addExtension(Extension.authorityKeyIdentifier, false, issuer.keyIdentifierForChildren());
        b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(spki));
        byte[] der = Issuance.sign(b, issuer.privateKey(), issuer.keyType());
        return new IssuedCertificate(der, serial, v.notAfter, issuer.chain(), generated, v.requestedNotAfter, v.clamped);
      } catch (GeneralSecurityException | CertIOException e) {
        throw new IllegalStateException("cannot build workload certificate: " + e.getMessage(), e);
      }
    }
  }

  /** A validity window that stays inside the issuer's. */
  private record Validity(Instant notBefore, Instant notAfter, Instant requestedNotAfter, boolean clamped) {
    static Validity under(X509Certificate issuer, Instant now, Duration ttl) {
      Instant issuerNotBefore = issuer.getNotBefore().toInstant();
      Instant issuerNotAfter = issuer.getNotAfter().toInstant();
      if (!now.isBefore(issuerNotAfter)) {
        throw new IssuancePolicyException("issuer " + issuer.getSubjectX500Principal().getName()
            + " expired at " + issuerNotAfter);
      }
      // Certificates carry whole seconds: decide in whole seconds, so what we report is what was signed.
      Instant notBefore = now.minus(BACKDATE).truncatedTo(ChronoUnit.SECONDS);
      if (notBefore.isBefore(issuerNotBefore)) {
        notBefore = issuerNotBefore;
      }
      Instant requested = now.plus(ttl).truncatedTo(ChronoUnit.SECONDS);
      boolean clamped = requested.isAfter(issuerNotAfter);
      return new Validity(notBefore, clamped ? issuerNotAfter : requested, requested, clamped);
    }
  }

  private static X500Name name(String cn, String org) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, org).addRDN(BCStyle.CN, cn).build();
  }

  /** The issuer's own subject key identifier when it has one (so AKI always matches it), else the key's hash. */
  private static AuthorityKeyIdentifier authorityKeyId(JcaX509ExtensionUtils utils, X509Certificate issuer) {
    return Extensions.subjectKeyId(issuer)
        .map(AuthorityKeyIdentifier::new)
        .orElseGet(() -> utils.createAuthorityKeyIdentifier(issuer.getPublicKey()));
  }

  /** A random positive serial of up to 128 bits, never zero (RFC 5280 §4.1.2.2). */
  /**
   * A positive 128-bit serial: the issuance time in milliseconds (48 bits) followed by 80 bits from
   * a CSPRNG (more than the 64 the CA/Browser Forum requires). The time prefix keeps serials issued
   * close together close in a datastore's index on the serial: with fully random serials every
   * record lands on a different B-tree page, and SQLite's write-ahead log wrote a 4 KiB page per
   * SVID (see docs/benchmarks-ca.md). Lowercase hex of these serials has 31 digits from 2004 to
   * 2527, so text order is issuance order.
   */
  static BigInteger serial(Instant now) {
    byte[] bytes = new byte[16];
    BigInteger s;
    do {
      RANDOM.nextBytes(bytes);
      long millis = Math.max(0, now.toEpochMilli());
      for (int i = 5; i >= 0; i--) {
        bytes[i] = (byte) millis;
        millis >>>= 8;
      }
      s = new BigInteger(1, bytes);
    } while (s.signum() == 0);
    return s;
  }

  private static byte[] sign(X509v3CertificateBuilder b, PrivateKey key, KeyType keyType)
      throws GeneralSecurityException {
    OneShotSigner signer = OneShotSigner.forKey(keyType.signatureAlgorithm(), key);
    b.build(signer);
    return signer.certificate();
  }

  /**
   * Collects the encoded TBS certificate and signs it with one {@code update}: Bouncy Castle writes
   * the DER in many small pieces, and feeding each to the provider (which buffers and regrows for
   * every one) costs more than the copy. Each thread keeps the signer of the last key it used: a CA
   * signs thousands of certificates with one key, and a provider lookup plus {@code initSign} per
   * certificate shows in its profile. It also assembles the certificate from the TBS bytes it
   * signed, where {@code X509CertificateHolder.getEncoded()} would encode the whole TBS again.
   */
  private static final class OneShotSigner implements ContentSigner {
    /**
     * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING },
     * from the TBS exactly as signed (RFC 5280 §4.1).
     */
    byte[] certificate() {
      byte[] body = tbs.toByteArray();
      int bitStringLength = lastSignature.length + 1;
      int contentLength = body.length + encodedAlgorithm.length + 1 + lengthOfLength(bitStringLength) + bitStringLength;
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(contentLength + 6);
      out.write(0x30);
      writeLength(out, contentLength);
      out.writeBytes(body);
      out.writeBytes(encodedAlgorithm);
      out.write(0x03);
      writeLength(out, bitStringLength);
      out.write(0); // no unused bits
      out.writeBytes(lastSignature);
      return out.toByteArray();
    }

    private static int lengthOfLength(int length) {
      return length < 0x80 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 4;
    }

    private static void writeLength(java.io.ByteArrayOutputStream out, int length) {
      int n = lengthOfLength(length) - 1;
      if (n == 0) {
        out.write(length);
        return;
      }
      out.write(0x80 | n);
      for (int i = n - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }

    private static final DefaultSignatureAlgorithmIdentifierFinder FINDER = new DefaultSignatureAlgorithmIdentifierFinder();
    private static final ThreadLocal<OneShotSigner> LAST = new ThreadLocal<>();
    private final String name;
    private final PrivateKey key;
    private final AlgorithmIdentifier algorithm;
    private final java.security.Signature signature;
    private final byte[] encodedAlgorithm;
    private final java.io.ByteArrayOutputStream tbs = new java.io.ByteArrayOutputStream(1024);
    private byte[] lastSignature;

    private OneShotSigner(String name, PrivateKey key) throws GeneralSecurityException {
      this.name = name;
      this.key = key;
      this.algorithm = FINDER.find(name);
      try {
        this.encodedAlgorithm = algorithm.getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER);
      } catch (java.io.IOException e) {
        throw new GeneralSecurityException("cannot encode " + name + ": " + e.getMessage(), e);
      }
      this.signature = java.security.Signature.getInstance(name);
      this.signature.initSign(key);
    }

    static OneShotSigner forKey(String algorithm, PrivateKey key) throws GeneralSecurityException {
      OneShotSigner last = LAST.get();
      if (last != null && last.key == key && last.name.equals(algorithm)) {
        last.tbs.reset();
        return last;
      }
      OneShotSigner signer = new OneShotSigner(algorithm, key);
      LAST.set(signer);
      return signer;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
      return algorithm;
    }

    @Override
    public java.io.OutputStream getOutputStream() {
      return tbs;
    }

    @Override
    public byte[] getSignature() {
      try {
        signature.update(tbs.toByteArray());
        lastSignature = signature.sign(); // and leaves the Signature initialised for the next certificate
        return lastSignature;
      } catch (java.security.SignatureException e) {
        LAST.remove();
        throw new IllegalStateException("cannot sign certificate: " + e.getMessage(), e);
      }
    }
  }
}
