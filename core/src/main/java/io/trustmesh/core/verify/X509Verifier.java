package io.trustmesh.core.verify;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.x509.Extensions;
import java.net.InetAddress;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraintValidatorException;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PKIXNameConstraintValidator;

/**
 * Certificate path building and validation (RFC 5280 §6) with the stricter checks a modern
 * verifier applies, plus the X.509-SVID rules. The gate of the data plane: the proxy, {@code cert
 * verify} and doctor all decide trust here, never with the JDK's default trust manager.
 *
 * <pre>{@code
 * Verification v = X509Verifier.verify(leaf, VerifyOptions.spiffe(bundles)
 *     .intermediates(peerChain.subList(1, peerChain.size()))
 *     .usage(Usage.CLIENT)
 *     .expectTrustDomain(TrustDomain.parse("example.org")));
 * if (!v.isValid()) log.info("refused: {}", v.reason());
 * }</pre>
 *
 * <p>Authenticate, then authorize: the chain is validated against the bundle of the leaf's own
 * trust domain first; only then is the SPIFFE ID compared with what is expected.
 *
 * <p>Work is bounded: at most {@link VerifyOptions#maxDepth} intermediates and {@link
 * #MAX_SIGNATURE_CHECKS} signature checks per call, whatever the peer sends.
 */
public final class X509Verifier {
  /** Signature verifications one call may spend building paths. */
  public static final int MAX_SIGNATURE_CHECKS = 64;

  /** Extensions this verifier understands and therefore accepts when critical. */
  private static final Set<String> KNOWN_CRITICAL = Set.of(
      "2.5.29.15", // key usage
      "2.5.29.19", // basic constraints
      "2.5.29.17", // subject alternative name
      "2.5.29.30", // name constraints
      "2.5.29.37", // extended key usage
      "2.5.29.32", // certificate policies
      "2.5.29.36", // policy constraints
      "2.5.29.54"); // inhibit anyPolicy

  private static final Set<String> WEAK_SIGNATURES = Set.of(
      "1.2.840.113549.1.1.4", // md5WithRSA
      "1.2.840.113549.1.1.5", // sha1WithRSA
      "1.2.840.10045.4.1", // ecdsa-with-SHA1
      "1.2.840.10040.4.3", // dsa-with-SHA1
      "1.2.840.113549.1.1.2", // md2WithRSA
      "1.3.14.3.2.29"); // sha1WithRSA (OIW)

  private static final String ANY_EKU = "2.5.29.37.0";

  private X509Verifier() {}

  /** Verifies {@code leaf} under {@code options}; never throws for a bad chain. */
  public static Verification verify(X509Certificate leaf, VerifyOptions options) {
    Instant at = options.at != null ? options.at : Instant.now();
    List<X509Certificate> anchors;
    Optional<SpiffeId> id = Optional.empty();
    if (options.isSpiffe()) {
      String uriProblem = svidShapeProblem(leaf);
      if (uriProblem != null) {
        return Verification.invalid(Failure.NOT_AN_SVID, uriProblem);
      }
      SpiffeId leafId = SpiffeId.parse(Extensions.uriSans(leaf).get(0));
      id = Optional.of(leafId);
      Optional<X509Bundle> bundle = options.bundles.forTrustDomain(leafId.trustDomain());
      if (bundle.isEmpty() || bundle.get().authorities().isEmpty()) {
        return Verification.invalid(Failure.NO_BUNDLE, "no trust bundle for trust domain "
            + leafId.trustDomain() + " (peer " + leafId + ")");
      }
      anchors = bundle.get().authorities();
    } else {
      anchors = options.anchors;
    }
    Search search = new Search(options, anchors, at);
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    Verification result = search.extend(path);
    if (result != null && result.isValid()) {
      return authorize(result, options, id);
    }
    return result != null ? result : search.bestFailure(leaf);
  }

  /** After authentication: the expected SPIFFE ID or trust domain. */
  private static Verification authorize(Verification ok, VerifyOptions options, Optional<SpiffeId> id) {
    if (id.isPresent()) {
      if (options.expectedId.isPresent() && !options.expectedId.get().equals(id.get())) {
        return Verification.invalid(Failure.SPIFFE_ID_MISMATCH,
            "SPIFFE ID mismatch: got " + id.get() + " expected " + options.expectedId.get());
      }
      if (options.expectedTrustDomain.isPresent()
          && !options.expectedTrustDomain.get().equals(id.get().trustDomain())) {
        return Verification.invalid(Failure.SPIFFE_ID_MISMATCH, "trust domain mismatch: got "
            + id.get().trustDomain() + " (" + id.get() + ") expected " + options.expectedTrustDomain.get());
      }
    }
    return Verification.valid(ok.path(), id);
  }

  /** Why a leaf is not an X.509-SVID, or null if its shape is right. */
  static String svidShapeProblem(X509Certificate leaf) {
    List<String> uris = Extensions.uriSans(leaf);
    if (uris.size() != 1) {
      return "not an X.509-SVID: the leaf has " + uris.size() + " URI SANs, expected exactly one SPIFFE ID"
          + (uris.isEmpty() ? "" : " (" + String.join(", ", uris) + ")");
    }
    try {
      SpiffeId.parse(uris.get(0));
    } catch (BadInputException e) {
      return "not an X.509-SVID: URI SAN '" + uris.get(0) + "' is not a SPIFFE ID (" + e.getMessage() + ")";
    }
    if (leaf.getBasicConstraints() >= 0) {
      return "not an X.509-SVID: the leaf " + subject(leaf) + " is a CA certificate (CA:TRUE)";
    }
    boolean[] ku = leaf.getKeyUsage();
    if (ku != null && (ku[5] || ku[6])) {
      return "not an X.509-SVID: the leaf " + subject(leaf) + " has keyCertSign or cRLSign";
    }
    if (ku != null && !ku[0]) {
      return "not an X.509-SVID: the leaf " + subject(leaf) + " lacks digitalSignature";
    }
    return null;
  }

  /** Depth-first path search with a work budget, remembering the most telling failure. */
  private static final class Search {
    private final VerifyOptions options;
    private final List<X509Certificate> anchors;
    private final Instant at;
    private int signatureChecks;
    private Verification best;
    private int bestDepth = -1;

    Search(VerifyOptions options, List<X509Certificate> anchors, Instant at) {
      this.options = options;
      this.anchors = anchors;
      this.at = at;
    }

    /** Extends {@code path} (leaf first) towards an anchor; returns the first valid result. */
    Verification extend(List<X509Certificate> path) {
      X509Certificate tip = path.get(path.size() - 1);
      if (path.size() - 1 > options.maxDepth) {
        record(Verification.invalid(Failure.CHAIN_TOO_LONG, "chain is longer than " + options.maxDepth
            + " intermediates"), path.size());
        return null;
      }
      List<X509Certificate> candidates = new ArrayList<>();
      for (X509Certificate a : anchors) {
        if (issuedBy(tip, a)) {
          candidates.add(a);
        }
      }
      int anchorCount = candidates.size();
      for (X509Certificate c : options.intermediates) {
        if (issuedBy(tip, c) && !contains(path, c) && !contains(candidates, c)) {
          candidates.add(c);
        }
      }
      for (int i = 0; i < candidates.size(); i++) {
        X509Certificate issuer = candidates.get(i);
        if (contains(path, issuer)) {
          continue;
        }
        if (signatureChecks++ >= MAX_SIGNATURE_CHECKS) {
          record(Verification.invalid(Failure.WORK_LIMIT, "gave up building the chain after "
              + MAX_SIGNATURE_CHECKS + " signature checks"), Integer.MAX_VALUE);
          return null;
        }
        if (!signedBy(tip, issuer.getPublicKey())) {
          record(Verification.invalid(Failure.BAD_SIGNATURE, "signature of " + subject(tip)
              + " does not verify with the key of " + subject(issuer)), path.size());
          continue;
        }
        List<X509Certificate> next = new ArrayList<>(path);
        next.add(issuer);
        if (i < anchorCount) {
          Verification v = new PathValidator(next, options, at).validate();
          if (v.isValid()) {
            return v;
          }
          record(v, next.size() + 100);
        } else {
          Verification v = extend(next);
          if (v != null) {
            return v;
          }
        }
      }
      if (candidates.isEmpty()) {
        record(Verification.invalid(Failure.UNKNOWN_AUTHORITY, "certificate signed by unknown authority "
            + tip.getIssuerX500Principal().getName() + " (" + subject(tip) + ")"), path.size());
      }
      return null;
    }

    private void record(Verification v, int depth) {
      if (depth > bestDepth) {
        best = v;
        bestDepth = depth;
      }
    }

    Verification bestFailure(X509Certificate leaf) {
      return best != null ? best : Verification.invalid(Failure.UNKNOWN_AUTHORITY,
          "certificate signed by unknown authority " + leaf.getIssuerX500Principal().getName());
    }
  }

  /** Checks one complete path, leaf first and trust anchor last. */
  private static final class PathValidator {
    private final List<X509Certificate> path;
    private final VerifyOptions options;
    private final Instant at;

    PathValidator(List<X509Certificate> path, VerifyOptions options, Instant at) {
      this.path = path;
      this.options = options;
      this.at = at;
    }

    Verification validate() {
      int n = path.size();
      for (int i = 0; i < n; i++) {
        X509Certificate c = path.get(i);
        Instant notBefore = c.getNotBefore().toInstant();
        Instant notAfter = c.getNotAfter().toInstant();
        String role = i == 0 ? "certificate" : i == n - 1 ? "trust anchor" : "intermediate";
        if (at.isAfter(notAfter)) {
          return Verification.invalid(Failure.EXPIRED,
              role + " " + subject(c) + " expired at " + notAfter + " (checked at " + at + ")");
        }
        if (at.isBefore(notBefore)) {
          return Verification.invalid(Failure.NOT_YET_VALID,
              role + " " + subject(c) + " is not valid before " + notBefore + " (checked at " + at + ")");
        }
        String weak = keyProblem(c.getPublicKey());
        if (weak != null) {
          return Verification.invalid(Failure.WEAK_ALGORITHM, role + " " + subject(c) + ": " + weak);
        }
        if (i < n - 1 && WEAK_SIGNATURES.contains(c.getSigAlgOID())) {
          return Verification.invalid(Failure.WEAK_ALGORITHM, role + " " + subject(c)
              + " is signed with the weak algorithm " + c.getSigAlgName());
        }
        if (i < n - 1) {
          Set<String> critical = c.getCriticalExtensionOIDs();
          if (critical != null) {
            for (String oid : critical) {
              if (!KNOWN_CRITICAL.contains(oid)) {
                return Verification.invalid(Failure.UNKNOWN_CRITICAL_EXTENSION,
                    role + " " + subject(c) + " has an unknown critical extension " + oid);
              }
            }
          }
        }
      }
      for (int i = 1; i < n; i++) {
        Verification v = checkIssuer(path.get(i), i, n);
        if (v != null) {
          return v;
        }
      }
      Verification v = checkLeaf(path.get(0));
      if (v != null) {
        return v;
      }
      v = checkNameConstraints();
      if (v != null) {
        return v;
      }
      v = checkRevocation();
      if (v != null) {
        return v;
      }
      return Verification.valid(path, Optional.empty());
    }

    private Verification checkIssuer(X509Certificate ca, int index, int n) {
      String role = index == n - 1 ? "trust anchor" : "intermediate";
      if (ca.getBasicConstraints() < 0) {
        return Verification.invalid(Failure.NOT_A_CA,
            role + " " + subject(ca) + " is not a CA (basic constraints CA:FALSE or missing)");
      }
      boolean[] ku = ca.getKeyUsage();
      if (ku == null && options.isSpiffe()) {
        return Verification.invalid(Failure.KEY_USAGE,
            role + " " + subject(ca) + " has no key usage; X.509-SVID signing certificates need keyCertSign");
      }
      if (ku != null && !ku[5]) {
        return Verification.invalid(Failure.KEY_USAGE, role + " " + subject(ca) + " lacks keyCertSign");
      }
      int below = 0; // non-self-issued intermediates between this CA and the leaf
      for (int j = 1; j < index; j++) {
        if (!selfIssued(path.get(j))) {
          below++;
        }
      }
      int pathLen = ca.getBasicConstraints();
      if (below > pathLen) {
        return Verification.invalid(Failure.PATH_LENGTH_EXCEEDED, role + " " + subject(ca)
            + " allows " + pathLen + " intermediate" + (pathLen == 1 ? "" : "s") + " below it, the chain has "
            + below);
      }
      if (options.usage != null) {
        List<String> eku = eku(ca);
        if (eku != null && !eku.contains(options.usage.oid()) && !eku.contains(ANY_EKU)) {
          return Verification.invalid(Failure.EXTENDED_KEY_USAGE, role + " " + subject(ca)
              + " does not permit " + options.usage.ekuName() + " (extended key usage " + eku + ")");
        }
      }
      return null;
    }

    private Verification checkLeaf(X509Certificate leaf) {
      if (options.usage != null) {
        List<String> eku = eku(leaf);
        if (eku != null && !eku.contains(options.usage.oid())) {
          return Verification.invalid(Failure.EXTENDED_KEY_USAGE, "wrong extended key usage: "
              + subject(leaf) + " is not valid for " + options.usage.ekuName() + " (it has "
              + ekuNames(eku) + ")");
        }
      }
      if (options.dnsName.isPresent()) {
        String want = options.dnsName.get();
        List<String> dns = Extensions.dnsSans(leaf);
        if (dns.stream().noneMatch(pattern -> HostnameMatch.dns(pattern, want))) {
          return Verification.invalid(Failure.NAME_MISMATCH, "certificate " + subject(leaf)
              + " is not valid for DNS name " + want + " (it names " + (dns.isEmpty() ? "no DNS names" : dns) + ")");
        }
      }
      if (options.ipAddress.isPresent()) {
        InetAddress want = options.ipAddress.get();
        List<String> ips = Extensions.ipSans(leaf);
        if (ips.stream().noneMatch(ip -> HostnameMatch.ip(ip, want))) {
          return Verification.invalid(Failure.NAME_MISMATCH, "certificate " + subject(leaf)
              + " is not valid for IP address " + want.getHostAddress());
        }
      }
      return null;
    }

    /** Applies each CA's name constraints, from the anchor down, to every certificate below it. */
    private Verification checkNameConstraints() {
      PKIXNameConstraintValidator validator = new PKIXNameConstraintValidator();
      boolean any = false;
      for (int i = path.size() - 1; i >= 0; i--) {
        X509Certificate c = path.get(i);
        if (any && i < path.size() - 1) {
          String violation = violation(validator, c, i == 0);
          if (violation != null) {
            return Verification.invalid(Failure.NAME_CONSTRAINTS_VIOLATED,
                "name constraints violated: " + violation);
          }
        }
        Optional<NameConstraints> nc;
        try {
          nc = Extensions.nameConstraints(c);
        } catch (RuntimeException e) {
          return Verification.invalid(Failure.MALFORMED, "malformed name constraints in " + subject(c));
        }
        if (nc.isPresent()) {
          any = true;
          GeneralSubtree[] permitted = nc.get().getPermittedSubtrees();
          if (permitted != null) {
            validator.intersectPermittedSubtree(permitted);
          }
          GeneralSubtree[] excluded = nc.get().getExcludedSubtrees();
          if (excluded != null) {
            for (GeneralSubtree t : excluded) {
              validator.addExcludedSubtree(t);
            }
          }
        }
      }
      return null;
    }

    private String violation(PKIXNameConstraintValidator validator, X509Certificate c, boolean leaf) {
      String who = (leaf ? "certificate " : "intermediate ") + subject(c);
      if (leaf || !selfIssued(c)) {
        X500Name dn = X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
        try {
          validator.checkPermittedDN(dn);
          validator.checkExcludedDN(dn);
        } catch (NameConstraintValidatorException e) {
          return who + ": subject " + dn + " is outside the permitted names";
        }
      }
      try {
        if (c.getSubjectAlternativeNames() == null) {
          return null;
        }
      } catch (CertificateParsingException e) {
        return who + ": malformed subject alternative names";
      }
      byte[] ext = c.getExtensionValue("2.5.29.17");
      org.bouncycastle.asn1.x509.GeneralNames names;
      try {
        names = org.bouncycastle.asn1.x509.GeneralNames.getInstance(
            org.bouncycastle.asn1.ASN1Primitive.fromByteArray(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets()));
      } catch (java.io.IOException | RuntimeException e) {
        return who + ": malformed subject alternative names";
      }
      for (GeneralName name : names.getNames()) {
        try {
          validator.checkPermitted(name);
          validator.checkExcluded(name);
        } catch (NameConstraintValidatorException e) {
          return who + ": " + describe(name) + " is not permitted by an issuer's name constraints";
        } catch (RuntimeException e) {
          return who + ": " + describe(name) + " cannot be checked against name constraints";
        }
      }
      return null;
    }

    private Verification checkRevocation() {
      if (options.crls.isEmpty()) {
        return null;
      }
      for (int i = 0; i < path.size() - 1; i++) {
        X509Certificate c = path.get(i);
        X509Certificate issuer = path.get(i + 1);
        for (X509CRL crl : options.crls) {
          if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            continue;
          }
          try {
            crl.verify(issuer.getPublicKey());
          } catch (Exception e) {
            continue; // not this issuer's CRL
          }
          X509CRLEntry entry = crl.getRevokedCertificate(c.getSerialNumber());
          if (entry != null && !entry.getRevocationDate().toInstant().isAfter(at)) {
            return Verification.invalid(Failure.REVOKED, "certificate " + subject(c) + " (serial "
                + c.getSerialNumber().toString(16) + ") was revoked at " + entry.getRevocationDate().toInstant());
          }
        }
      }
      return null;
    }
  }

  static boolean issuedBy(X509Certificate child, X509Certificate candidate) {
    if (!child.getIssuerX500Principal().equals(candidate.getSubjectX500Principal())) {
      return false;
    }
    Optional<byte[]> aki = Extensions.authorityKeyId(child);
    Optional<byte[]> ski = Extensions.subjectKeyId(candidate);
    return aki.isEmpty() || ski.isEmpty() || Arrays.equals(aki.get(), ski.get());
  }

  static boolean signedBy(X509Certificate cert, PublicKey key) {
    try {
      cert.verify(key);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  static boolean selfIssued(X509Certificate c) {
    return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
  }

  static boolean contains(List<X509Certificate> list, X509Certificate c) {
    for (X509Certificate x : list) {
      if (x.equals(c)) {
        return true;
      }
    }
    return false;
  }

  static List<String> eku(X509Certificate c) {
    try {
      return c.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  static String ekuNames(List<String> oids) {
    List<String> names = new ArrayList<>();
    for (String oid : oids) {
      names.add(switch (oid) {
        case "1.3.6.1.5.5.7.3.1" -> "serverAuth";
        case "1.3.6.1.5.5.7.3.2" -> "clientAuth";
        case "1.3.6.1.5.5.7.3.3" -> "codeSigning";
        case "1.3.6.1.5.5.7.3.4" -> "emailProtection";
        case "1.3.6.1.5.5.7.3.8" -> "timeStamping";
        case "1.3.6.1.5.5.7.3.9" -> "OCSPSigning";
        case ANY_EKU -> "anyExtendedKeyUsage";
        default -> oid;
      });
    }
    return String.join(", ", names);
  }

  static String keyProblem(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      return bits < 2048 ? "RSA key of " + bits + " bits is too weak (at least 2048)" : null;
    }
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      return bits < 256 ? "EC key of " + bits + " bits is too weak (at least P-256)" : null;
    }
    String alg = key.getAlgorithm().toUpperCase(Locale.ROOT);
    if (alg.equals("ED25519") || alg.equals("EDDSA") || alg.equals("ED448")) {
      return null;
    }
    return "unsupported key algorithm " + key.getAlgorithm();
  }

  static String describe(GeneralName name) {
    return switch (name.getTagNo()) {
      case GeneralName.dNSName -> "DNS name " + name.getName();
      case GeneralName.uniformResourceIdentifier -> "URI " + name.getName();
      case GeneralName.rfc822Name -> "email " + name.getName();
      case GeneralName.iPAddress -> "IP address " + ipString(name);
      case GeneralName.directoryName -> "directory name " + name.getName();
      default -> "name " + name.getName();
    };
  }

  private static String ipString(GeneralName name) {
    try {
      byte[] raw = org.bouncycastle.asn1.ASN1OctetString.getInstance(name.getName()).getOctets();
      return InetAddress.getByAddress(raw).getHostAddress();
    } catch (Exception e) {
      return String.valueOf(name.getName());
    }
  }

  static String subject(X509Certificate c) {
    String dn = c.getSubjectX500Principal().getName();
    return dn.isEmpty() ? "(empty subject, serial " + c.getSerialNumber().toString(16) + ")" : dn;
  }
}
