package io.trustmesh.core.verify;

import java.io.IOException;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * Rules on one certificate by itself, before it can take part in a path: encodings that parse and
 * follow RFC 5280, acceptable keys and signature algorithms, no critical extension that is not
 * understood. Each check returns null when the certificate passes, else the reason.
 */
final class CertificateChecks {
  /** Extensions understood here, and therefore accepted when critical. */
  static final Set<String> KNOWN_CRITICAL = Set.of(
      "2.5.29.15", // key usage
      "2.5.29.19", // basic constraints
      "2.5.29.17", // subject alternative name
      "2.5.29.30", // name constraints
      "2.5.29.37", // extended key usage
      "2.5.29.32", // certificate policies
      "2.5.29.36", // policy constraints
      "2.5.29.54"); // inhibit anyPolicy

  static final Set<String> WEAK_SIGNATURES = Set.of(
      "1.2.840.113549.1.1.4", // md5WithRSA
      "1.2.840.113549.1.1.5", // sha1WithRSA
      "1.2.840.10045.4.1", // ecdsa-with-SHA1
      "1.2.840.10040.4.3", // dsa-with-SHA1
      "1.2.840.113549.1.1.2", // md2WithRSA
      "1.2.840.113549.1.1.3", // md4WithRSA
      "1.3.14.3.2.29"); // sha1WithRSA (OIW)

  static final String ANY_EKU = "2.5.29.37.0";

  private CertificateChecks() {}

  /** The parsed extension value, or null when absent; throws IOException when it does not parse. */
  static ASN1Primitive extension(X509Certificate c, String oid) throws IOException {
    byte[] ext = c.getExtensionValue(oid);
    if (ext == null) {
      return null;
    }
    try {
      return ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(ext).getOctets());
    } catch (RuntimeException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  static boolean critical(X509Certificate c, String oid) {
    Set<String> crit = c.getCriticalExtensionOIDs();
    return crit != null && crit.contains(oid);
  }

  /** The subject alternative names, parsed; throws IOException when the extension is malformed. */
  static List<GeneralName> sans(X509Certificate c) throws IOException {
    ASN1Primitive p = extension(c, Extension.subjectAlternativeName.getId());
    if (p == null) {
      return List.of();
    }
    try {
      GeneralName[] names = GeneralNames.getInstance(p).getNames();
      if (names.length == 0) {
        throw new IOException("empty subject alternative name extension");
      }
      return List.of(names);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Rules for every certificate in the path, whatever its position; {@code who} names it in the
   * reason ("intermediate CN=..."). Null when the certificate passes.
   */
  static Verification common(X509Certificate c, boolean anchor, String who) {
    String key = keyProblem(c.getPublicKey());
    if (key != null) {
      return Verification.invalid(Failure.WEAK_ALGORITHM, who + " " + key);
    }
    Set<String> critical = c.getCriticalExtensionOIDs();
    if (critical != null) {
      for (String oid : critical) {
        if (!KNOWN_CRITICAL.contains(oid)) {
          return Verification.invalid(Failure.UNKNOWN_CRITICAL_EXTENSION,
              who + " has an unknown critical extension " + oid);
        }
      }
    }
    String problem = encodingProblem(c, anchor);
    return problem == null ? null : Verification.invalid(Failure.MALFORMED, who + " " + problem);
  }

  private static String encodingProblem(X509Certificate c, boolean anchor) {
    if (c.getVersion() != 3 && (c.getCriticalExtensionOIDs() != null || c.getNonCriticalExtensionOIDs() != null)) {
      return "has extensions but is not a version 3 certificate";
    }
    if (!anchor) {
      BigInteger serial = c.getSerialNumber();
      if (serial.signum() <= 0) {
        return "has a serial number that is not positive (" + serial + ")";
      }
      if (serial.toByteArray().length > 20) {
        return "has a serial number longer than 20 octets";
      }
    }
    if (critical(c, Extension.authorityKeyIdentifier.getId())) {
      return "marks the authority key identifier critical (RFC 5280 4.2.1.1: MUST be non-critical)";
    }
    if (critical(c, Extension.subjectKeyIdentifier.getId())) {
      return "marks the subject key identifier critical (RFC 5280 4.2.1.2: MUST be non-critical)";
    }
    try {
      ASN1Primitive aki = extension(c, Extension.authorityKeyIdentifier.getId());
      if (aki != null) {
        AuthorityKeyIdentifier.getInstance(aki);
      }
      ASN1Primitive ski = extension(c, Extension.subjectKeyIdentifier.getId());
      if (ski != null) {
        SubjectKeyIdentifier.getInstance(ski);
      }
      List<GeneralName> sans = sans(c);
      for (GeneralName n : sans) {
        String bad = sanProblem(n);
        if (bad != null) {
          return bad;
        }
      }
      ASN1Primitive aia = extension(c, Extension.authorityInfoAccess.getId());
      if (aia != null) {
        ASN1Sequence seq = ASN1Sequence.getInstance(aia);
        if (seq.size() == 0) {
          return "has an empty authority information access extension";
        }
        for (ASN1Encodable e : seq) {
          AccessDescription.getInstance(e);
        }
      }
      ASN1Primitive pc = extension(c, Extension.policyConstraints.getId());
      if (pc != null && !critical(c, Extension.policyConstraints.getId())) {
        return "has a non-critical policy constraints extension (RFC 5280 4.2.1.11: MUST be critical)";
      }
      if (pc != null && ASN1Sequence.getInstance(pc).size() == 0) {
        return "has an empty policy constraints extension";
      }
      c.getExtendedKeyUsage();
      c.getKeyUsage();
    } catch (IOException | RuntimeException | java.security.cert.CertificateParsingException e) {
      return "has a malformed extension (" + X509Verifier.oneLine(e.getMessage()) + ")";
    }
    return null;
  }

  /** Whether one SAN is well-formed: DNS syntax, 4- or 16-octet IPs, one {@code @} in emails. */
  static String sanProblem(GeneralName n) {
    switch (n.getTagNo()) {
      case GeneralName.dNSName -> {
        String dns = ((ASN1IA5String) n.getName()).getString();
        if (!validDnsName(dns, true)) {
          return "has a malformed DNS name in its subject alternative names: '" + dns + "'";
        }
      }
      case GeneralName.iPAddress -> {
        int len = ASN1OctetString.getInstance(n.getName()).getOctets().length;
        if (len != 4 && len != 16) {
          return "has a malformed IP address (" + len + " octets) in its subject alternative names";
        }
      }
      case GeneralName.rfc822Name -> {
        String email = ((ASN1IA5String) n.getName()).getString();
        if (!validEmail(email)) {
          return "has a malformed email address in its subject alternative names: '" + email + "'";
        }
      }
      case GeneralName.uniformResourceIdentifier -> {
        String uri = ((ASN1IA5String) n.getName()).getString();
        if (uri.isEmpty() || uri.chars().anyMatch(ch -> ch <= 0x20 || ch >= 0x7f)) {
          return "has a malformed URI in its subject alternative names: '" + uri + "'";
        }
      }
      default -> {
        // other types are carried, not interpreted
      }
    }
    return null;
  }

  /**
   * RFC 1034/1123 preferred name syntax: letters, digits and inner hyphens, labels of 1..63,
   * at most 253 in all; with {@code wildcard}, a whole left-most {@code *} label is allowed.
   */
  static boolean validDnsName(String name, boolean wildcard) {
    String n = name;
    if (wildcard && n.startsWith("*.")) {
      n = n.substring(2);
    }
    if (n.isEmpty() || n.length() > 253) {
      return false;
    }
    for (String label : n.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char ch = label.charAt(i);
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-')) {
          return false;
        }
      }
    }
    return true;
  }

  /** One {@code @}, a non-empty local part without spaces, and a valid domain. */
  static boolean validEmail(String email) {
    int at = email.indexOf('@');
    if (at <= 0 || at != email.lastIndexOf('@')) {
      return false;
    }
    String local = email.substring(0, at);
    if (local.chars().anyMatch(ch -> ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')) {
      return false;
    }
    return validDnsName(email.substring(at + 1), false);
  }

  /**
   * The CA's name constraints, checked for form: only in CA certificates, never empty, DNS
   * constraints without a leading period, IP constraints of address plus a contiguous mask,
   * well-formed email and URI constraints, no minimum or maximum. Returns null and the parsed
   * value via {@code out[0]}, or the reason.
   */
  static String nameConstraintsProblem(X509Certificate c, NameConstraints[] out) {
    ASN1Primitive p;
    try {
      p = extension(c, Extension.nameConstraints.getId());
      if (p == null) {
        return null;
      }
      ASN1Sequence seq = ASN1Sequence.getInstance(p);
      if (seq.size() == 0) {
        return "has name constraints with neither permitted nor excluded subtrees";
      }
      NameConstraints nc = NameConstraints.getInstance(p);
      for (GeneralSubtree[] subtrees : new GeneralSubtree[][] {nc.getPermittedSubtrees(), nc.getExcludedSubtrees()}) {
        if (subtrees == null) {
          continue;
        }
        if (subtrees.length == 0) {
          return "has name constraints with an empty list of subtrees";
        }
        for (GeneralSubtree t : subtrees) {
          String bad = subtreeProblem(t);
          if (bad != null) {
            return bad;
          }
        }
      }
      out[0] = nc;
      return null;
    } catch (IOException | RuntimeException e) {
      return "has malformed name constraints (" + X509Verifier.oneLine(e.getMessage()) + ")";
    }
  }

  private static String subtreeProblem(GeneralSubtree t) {
    if ((t.getMinimum() != null && t.getMinimum().signum() != 0) || t.getMaximum() != null) {
      return "has a name constraint with a minimum or maximum (RFC 5280: MUST be absent)";
    }
    GeneralName base = t.getBase();
    switch (base.getTagNo()) {
      case GeneralName.dNSName -> {
        String dns = ((ASN1IA5String) base.getName()).getString();
        if (!dns.isEmpty() && !validDnsName(dns, false)) {
          return "has a malformed DNS name constraint '" + dns + "'";
        }
      }
      case GeneralName.iPAddress -> {
        byte[] raw = ASN1OctetString.getInstance(base.getName()).getOctets();
        if (raw.length != 8 && raw.length != 32) {
          return "has a malformed IP name constraint (" + raw.length + " octets, expected 8 or 32)";
        }
        if (!contiguousMask(Arrays.copyOfRange(raw, raw.length / 2, raw.length))) {
          return "has an IP name constraint whose mask is not contiguous";
        }
      }
      case GeneralName.rfc822Name -> {
        String email = ((ASN1IA5String) base.getName()).getString();
        boolean ok = email.contains("@") ? validEmail(email)
            : validDnsName(email.startsWith(".") ? email.substring(1) : email, false);
        if (!ok) {
          return "has a malformed email name constraint '" + email + "'";
        }
      }
      case GeneralName.uniformResourceIdentifier -> {
        String host = ((ASN1IA5String) base.getName()).getString();
        if (!validDnsName(host.startsWith(".") ? host.substring(1) : host, false)) {
          return "has a malformed URI name constraint '" + host + "' (expected a host name)";
        }
      }
      case GeneralName.directoryName -> X500Name.getInstance(base.getName());
      default -> {
        // evaluated only if a certificate below carries a name of the same type
      }
    }
    return null;
  }

  private static boolean contiguousMask(byte[] mask) {
    boolean zeroSeen = false;
    for (byte b : mask) {
      for (int bit = 7; bit >= 0; bit--) {
        boolean one = ((b >> bit) & 1) == 1;
        if (one && zeroSeen) {
          return false;
        }
        zeroSeen |= !one;
      }
    }
    return true;
  }

  /** RSA of at least 2048 bits, a multiple of 8; EC of at least 256 bits; Ed25519/Ed448. */
  static String keyProblem(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < 2048) {
        return "has an RSA key of " + bits + " bits, too weak (at least 2048)";
      }
      if (bits % 8 != 0) {
        return "has an RSA key of " + bits + " bits, not a multiple of 8";
      }
      return null;
    }
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      return bits < 256 ? "has an EC key of " + bits + " bits, too weak (at least P-256)" : null;
    }
    String alg = key.getAlgorithm().toUpperCase(Locale.ROOT);
    if (alg.equals("ED25519") || alg.equals("EDDSA") || alg.equals("ED448")) {
      return null;
    }
    return "has an unsupported key algorithm " + key.getAlgorithm();
  }

  /** The values of the subject's common names. */
  static List<String> commonNames(X509Certificate c) {
    List<String> out = new ArrayList<>();
    X500Name subject = X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
    for (RDN rdn : subject.getRDNs()) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        if (atv.getType().equals(BCStyle.CN)) {
          out.add(IETFUtils.valueToString(atv.getValue()));
        }
      }
    }
    return out;
  }

  /** Canonical text of an IP address: dotted decimal, or RFC 5952 for IPv6. */
  static String canonicalIp(byte[] raw) {
    if (raw.length == 4) {
      return (raw[0] & 0xff) + "." + (raw[1] & 0xff) + "." + (raw[2] & 0xff) + "." + (raw[3] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((raw[2 * i] & 0xff) << 8) | (raw[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }
}
