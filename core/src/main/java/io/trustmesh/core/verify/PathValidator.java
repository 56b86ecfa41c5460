package io.trustmesh.core.verify;

import static io.trustmesh.core.verify.X509Verifier.subject;

import java.io.IOException;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * The rules of RFC 5280 §6 and of the profile in force. Three stages: the leaf by itself ({@link
 * #checkLeaf}), each CA by itself ({@link #checkCa}, once per candidate), and a complete path, leaf
 * first and trust anchor last ({@link #validate}).
 *
 * <p>The web PKI profile ({@link VerifyOptions#x509}) adds the CA/Browser Forum rules a modern
 * verifier applies; the SPIFFE profile adds the X.509-SVID rules (checked in {@link X509Verifier}).
 */
final class PathValidator {
  private PathValidator() {}

  // ------------------------------------------------------------------ the leaf by itself

  static Verification checkLeaf(X509Certificate leaf, VerifyOptions o) {
    String who = "certificate " + subject(leaf);
    Verification v = CertificateChecks.common(leaf, false, who);
    if (v != null) {
      return v;
    }
    boolean webPki = !o.isSpiffe();
    boolean isCa = leaf.getBasicConstraints() >= 0;
    boolean[] ku = leaf.getKeyUsage();
    if (!isCa && ku != null && ku[5]) {
      return Verification.invalid(Failure.KEY_USAGE,
          who + " has keyCertSign but is not a CA (RFC 5280 4.2.1.9)");
    }
    if (!isCa && leaf.getExtensionValue(Extension.nameConstraints.getId()) != null) {
      return Verification.invalid(Failure.NONCONFORMING,
          who + " has name constraints but is not a CA (RFC 5280 4.2.1.10)");
    }
    if (!webPki) {
      return null;
    }
    if (isCa) {
      return Verification.invalid(Failure.NONCONFORMING,
          who + " is a CA certificate (CA:TRUE) presented as the leaf");
    }
    if (!X509Verifier.selfIssued(leaf) && akiKeyId(leaf).isEmpty()) {
      return Verification.invalid(Failure.NONCONFORMING,
          who + " has no authority key identifier (RFC 5280 4.2.1.1)");
    }
    List<String> eku = X509Verifier.eku(leaf);
    if (eku == null) {
      return Verification.invalid(Failure.EXTENDED_KEY_USAGE,
          who + " has no extended key usage (the web PKI profile requires serverAuth or clientAuth)");
    }
    if (eku.contains(CertificateChecks.ANY_EKU)) {
      return Verification.invalid(Failure.EXTENDED_KEY_USAGE,
          who + " has anyExtendedKeyUsage, which a leaf may not carry");
    }
    if (CertificateChecks.critical(leaf, Extension.extendedKeyUsage.getId())) {
      return Verification.invalid(Failure.NONCONFORMING, who + " marks its extended key usage critical");
    }
    List<GeneralName> sans;
    try {
      sans = CertificateChecks.sans(leaf);
    } catch (IOException e) {
      return Verification.invalid(Failure.MALFORMED, who + " has malformed subject alternative names");
    }
    boolean emptySubject = leaf.getSubjectX500Principal().getEncoded().length <= 2;
    if (!sans.isEmpty() && !emptySubject && CertificateChecks.critical(leaf, Extension.subjectAlternativeName.getId())) {
      return Verification.invalid(Failure.NONCONFORMING,
          who + " marks its subject alternative names critical although its subject is not empty");
    }
    return null;
  }

  /**
   * Whether a CN reads as a host name or address (has a dot or colon, non-ASCII characters, or is
   * a number such as an IPv4 address in hexadecimal), so that CA/Browser Forum 7.1.4.3 applies; a
   * plain label such as "web server" is left alone.
   */
  private static boolean nameLike(String cn) {
    return cn.indexOf('.') >= 0 || cn.indexOf(':') >= 0 || cn.chars().anyMatch(ch -> ch >= 0x80)
        || cn.matches("(?i)0x[0-9a-f]+|[0-9]+");
  }

  /** CA/Browser Forum 7.1.4.3: a CN is a character-for-character copy of a DNS SAN, or an IP SAN. */
  private static boolean cnInSans(String cn, List<GeneralName> sans) {
    for (GeneralName n : sans) {
      if (n.getTagNo() == GeneralName.dNSName && ((ASN1IA5String) n.getName()).getString().equals(cn)) {
        return true;
      }
      if (n.getTagNo() == GeneralName.iPAddress
          && CertificateChecks.canonicalIp(ASN1OctetString.getInstance(n.getName()).getOctets()).equals(cn)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The peer-role and peer-name rules, applied once the path is valid; in the web PKI profile, for
   * a server, also CA/Browser Forum 7.1.4.3 on the CN.
   */
  static Verification checkLeafUse(X509Certificate leaf, VerifyOptions o) {
    String who = "certificate " + subject(leaf);
    if (o.usage != null) {
      List<String> eku = X509Verifier.eku(leaf);
      if (eku != null && !eku.contains(o.usage.oid())) {
        return Verification.invalid(Failure.EXTENDED_KEY_USAGE, "wrong extended key usage: " + who
            + " is not valid for " + o.usage.ekuName() + " (it has " + X509Verifier.ekuNames(eku) + ")");
      }
    }
    if (o.dnsName.isPresent() || o.ipAddress.isPresent()) {
      List<GeneralName> sans;
      try {
        sans = CertificateChecks.sans(leaf);
      } catch (IOException e) {
        return Verification.invalid(Failure.MALFORMED, who + " has malformed subject alternative names");
      }
      if (o.dnsName.isPresent()) {
        String want = o.dnsName.get();
        List<String> dns = new ArrayList<>();
        for (GeneralName n : sans) {
          if (n.getTagNo() == GeneralName.dNSName) {
            dns.add(((ASN1IA5String) n.getName()).getString());
          }
        }
        if (dns.stream().noneMatch(pattern -> HostnameMatch.dns(pattern, want))) {
          return Verification.invalid(Failure.NAME_MISMATCH, who + " is not valid for DNS name " + want
              + " (it names " + (dns.isEmpty() ? "no DNS names" : String.join(", ", dns)) + ")");
        }
      }
      if (o.ipAddress.isPresent()) {
        InetAddress want = o.ipAddress.get();
        boolean match = false;
        for (GeneralName n : sans) {
          if (n.getTagNo() == GeneralName.iPAddress
              && HostnameMatch.ip(ASN1OctetString.getInstance(n.getName()).getOctets(), want)) {
            match = true;
          }
        }
        if (!match) {
          return Verification.invalid(Failure.NAME_MISMATCH, who + " is not valid for IP address "
              + want.getHostAddress());
        }
      }
    }
    if (!o.isSpiffe() && o.usage == Usage.SERVER) {
      // Last, so that a more fundamental failure is the one reported.
      List<GeneralName> sans;
      try {
        sans = CertificateChecks.sans(leaf);
      } catch (IOException e) {
        return Verification.invalid(Failure.MALFORMED, who + " has malformed subject alternative names");
      }
      for (String cn : CertificateChecks.commonNames(leaf)) {
        if (nameLike(cn) && !cnInSans(cn, sans)) {
          return Verification.invalid(Failure.NONCONFORMING, who + ": its common name '" + cn
              + "' is not one of its subject alternative names, character for character");
        }
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ a CA by itself

  static Verification checkCa(X509Certificate ca, boolean anchor, VerifyOptions o) {
    String who = (anchor ? "trust anchor " : "intermediate ") + subject(ca);
    Verification v = CertificateChecks.common(ca, anchor, who);
    if (v != null) {
      return v;
    }
    if (ca.getBasicConstraints() < 0) {
      return Verification.invalid(Failure.NOT_A_CA,
          who + " is not a CA (basic constraints CA:FALSE or missing)");
    }
    if (!CertificateChecks.critical(ca, Extension.basicConstraints.getId())) {
      return Verification.invalid(Failure.NONCONFORMING,
          who + " has non-critical basic constraints (RFC 5280 4.2.1.9: MUST be critical in a CA)");
    }
    boolean[] ku = ca.getKeyUsage();
    if (ku == null && o.isSpiffe()) {
      return Verification.invalid(Failure.KEY_USAGE,
          who + " has no key usage; X.509-SVID signing certificates need keyCertSign");
    }
    if (ku != null && !X509Verifier.bit(ku, 5)) {
      return Verification.invalid(Failure.KEY_USAGE, who + " lacks keyCertSign");
    }
    if (o.isSpiffe() && !CertificateChecks.critical(ca, Extension.keyUsage.getId())) {
      return Verification.invalid(Failure.KEY_USAGE,
          who + " has a non-critical key usage; X.509-SVID 4.3 requires it critical on signing certificates");
    }
    NameConstraints[] nc = new NameConstraints[1];
    String ncProblem = CertificateChecks.nameConstraintsProblem(ca, nc);
    if (ncProblem != null) {
      return Verification.invalid(Failure.MALFORMED, who + " " + ncProblem);
    }
    if (o.isSpiffe()) {
      return null;
    }
    Optional<byte[]> ski = skiValue(ca);
    if (ski.isEmpty()) {
      return Verification.invalid(Failure.NONCONFORMING,
          who + " has no subject key identifier (RFC 5280 4.2.1.2: MUST be present in a CA)");
    }
    boolean selfIssued = X509Verifier.selfIssued(ca);
    ASN1Primitive akiRaw;
    try {
      akiRaw = CertificateChecks.extension(ca, Extension.authorityKeyIdentifier.getId());
    } catch (IOException e) {
      return Verification.invalid(Failure.MALFORMED, who + " has a malformed authority key identifier");
    }
    if (!anchor && !selfIssued && akiKeyId(ca).isEmpty()) {
      return Verification.invalid(Failure.NONCONFORMING,
          who + " has no authority key identifier (RFC 5280 4.2.1.1)");
    }
    if (anchor && selfIssued && akiRaw != null) {
      AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(akiRaw);
      if (aki.getKeyIdentifierObject() == null) {
        return Verification.invalid(Failure.NONCONFORMING,
            who + " has an authority key identifier without keyIdentifier (CA/B BR 7.1.2.1.3)");
      }
      if (aki.getAuthorityCertIssuer() != null || aki.getAuthorityCertSerialNumber() != null) {
        return Verification.invalid(Failure.NONCONFORMING, who
            + " has authorityCertIssuer or authorityCertSerialNumber in its authority key identifier "
            + "(CA/B BR 7.1.2.1.3)");
      }
      if (!Arrays.equals(aki.getKeyIdentifierObject().getOctets(), ski.get())) {
        return Verification.invalid(Failure.NONCONFORMING,
            who + " has an authority key identifier that differs from its subject key identifier");
      }
    }
    if (anchor && selfIssued && X509Verifier.eku(ca) != null) {
      return Verification.invalid(Failure.NONCONFORMING,
          who + " is a root with an extended key usage extension (CA/B BR 7.1.2.1.2)");
    }
    return null;
  }

  static Optional<byte[]> akiKeyId(X509Certificate c) {
    try {
      ASN1Primitive p = CertificateChecks.extension(c, Extension.authorityKeyIdentifier.getId());
      if (p == null) {
        return Optional.empty();
      }
      ASN1OctetString id = AuthorityKeyIdentifier.getInstance(p).getKeyIdentifierObject();
      return id == null ? Optional.empty() : Optional.of(id.getOctets());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  static Optional<byte[]> skiValue(X509Certificate c) {
    try {
      ASN1Primitive p = CertificateChecks.extension(c, Extension.subjectKeyIdentifier.getId());
      return p == null ? Optional.empty() : Optional.of(SubjectKeyIdentifier.getInstance(p).getKeyIdentifier());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  // ------------------------------------------------------------------ a complete path

  /** Checks a complete path whose links (names, keys, signatures) the builder has verified. */
  static Verification validate(List<X509Certificate> path, VerifyOptions o, Instant at) {
    int n = path.size();
    // From the anchor down, so that an expired CA is named rather than the leaf it cut short.
    for (int i = n - 1; i >= 0; i--) {
      X509Certificate c = path.get(i);
      String role = role(i, n);
      Instant notBefore = c.getNotBefore().toInstant();
      Instant notAfter = c.getNotAfter().toInstant();
      if (at.isAfter(notAfter)) {
        return Verification.invalid(Failure.EXPIRED,
            role + " " + subject(c) + " expired at " + notAfter + " (checked at " + at + ")");
      }
      if (at.isBefore(notBefore)) {
        return Verification.invalid(Failure.NOT_YET_VALID,
            role + " " + subject(c) + " is not valid before " + notBefore + " (checked at " + at + ")");
      }
      if (i < n - 1 && CertificateChecks.WEAK_SIGNATURES.contains(c.getSigAlgOID())) {
        return Verification.invalid(Failure.WEAK_ALGORITHM, role + " " + subject(c)
            + " is signed with the weak algorithm " + c.getSigAlgName());
      }
    }
    for (int i = 1; i < n; i++) {
      Verification v = checkIssuerInPath(path, i, o);
      if (v != null) {
        return v;
      }
    }
    Verification v = checkNameConstraints(path);
    if (v != null) {
      return v;
    }
    v = Revocation.check(path, o.crls, at);
    if (v != null) {
      return v;
    }
    return Verification.valid(path, Optional.empty());
  }

  private static String role(int i, int n) {
    return i == 0 ? "certificate" : i == n - 1 ? "trust anchor" : "intermediate";
  }

  private static Verification checkIssuerInPath(List<X509Certificate> path, int index, VerifyOptions o) {
    X509Certificate ca = path.get(index);
    String who = role(index, path.size()) + " " + subject(ca);
    int below = 0; // non-self-issued intermediates between this CA and the leaf
    for (int j = 1; j < index; j++) {
      if (!X509Verifier.selfIssued(path.get(j))) {
        below++;
      }
    }
    int pathLen = ca.getBasicConstraints();
    if (below > pathLen) {
      return Verification.invalid(Failure.PATH_LENGTH_EXCEEDED, who + " allows " + pathLen + " intermediate"
          + (pathLen == 1 ? "" : "s") + " below it, the chain has " + below);
    }
    if (o.usage != null) {
      List<String> eku = X509Verifier.eku(ca);
      if (eku != null && !eku.contains(o.usage.oid()) && !eku.contains(CertificateChecks.ANY_EKU)) {
        return Verification.invalid(Failure.EXTENDED_KEY_USAGE, who + " does not permit "
            + o.usage.ekuName() + " (its extended key usage is " + X509Verifier.ekuNames(eku) + ")");
      }
    }
    return null;
  }

  /**
   * Each CA's name constraints, applied to every certificate below it except self-issued
   * intermediates (RFC 5280 6.1.3 (b)); trust anchors' constraints included.
   */
  private static Verification checkNameConstraints(List<X509Certificate> path) {
    NameConstraintsCheck checker = new NameConstraintsCheck();
    List<NameConstraintsCheck.Names> names = new ArrayList<>();
    for (int i = path.size() - 1; i >= 1; i--) {
      X509Certificate ca = path.get(i);
      NameConstraints[] nc = new NameConstraints[1];
      if (CertificateChecks.nameConstraintsProblem(ca, nc) != null) {
        return Verification.invalid(Failure.MALFORMED, "malformed name constraints in " + subject(ca));
      }
      if (nc[0] == null) {
        continue;
      }
      String caName = role(i, path.size()) + " " + subject(ca);
      for (int j = i - 1; j >= 0; j--) {
        X509Certificate c = path.get(j);
        if (j > 0 && X509Verifier.selfIssued(c)) {
          continue;
        }
        try {
          checker.check(nc[0], namesOf(c, names, path, j), role(j, path.size()) + " " + subject(c), caName);
        } catch (IOException e) {
          return Verification.invalid(Failure.MALFORMED, role(j, path.size()) + " " + subject(c)
              + " has malformed subject alternative names");
        } catch (NameConstraintsCheck.Violation e) {
          return Verification.invalid(e.workLimit ? Failure.WORK_LIMIT : Failure.NAME_CONSTRAINTS_VIOLATED,
              e.workLimit ? e.getMessage() : "name constraints violated: " + e.getMessage());
        }
      }
    }
    return null;
  }

  private static NameConstraintsCheck.Names namesOf(X509Certificate c, List<NameConstraintsCheck.Names> cache,
      List<X509Certificate> path, int j) throws IOException {
    while (cache.size() < path.size()) {
      cache.add(null);
    }
    NameConstraintsCheck.Names n = cache.get(j);
    if (n == null) {
      n = NameConstraintsCheck.Names.of(c, CertificateChecks.sans(c));
      cache.set(j, n);
    }
    return n;
  }
}
