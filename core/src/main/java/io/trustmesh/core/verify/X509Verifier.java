package io.trustmesh.core.verify;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.x509.Extensions;
import java.net.InetAddress;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.GeneralName;

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
 * <p>What is checked, in order: the leaf by itself (encoding, key, extensions; in the web PKI
 * profile also the CA/Browser Forum leaf rules; in the SPIFFE profile the X.509-SVID shape), then
 * a path to a trust anchor is built and validated (signatures, validity, basic constraints and path
 * length, key usage, extended key usage for the peer's role, name constraints including the
 * anchor's, signature algorithms, CRLs), then the peer name (DNS with RFC 6125 wildcards, IP), and
 * last, for SPIFFE, the expected ID or trust domain. See {@code docs/verification.md}.
 *
 * <p>Work is bounded: at most {@link VerifyOptions#maxDepth} intermediates and {@link
 * #MAX_SIGNATURE_CHECKS} signature checks per call, whatever the peer sends.
 */
public final class X509Verifier {
  /** Signature verifications one call may spend building paths. */
  public static final int MAX_SIGNATURE_CHECKS = 64;

  private X509Verifier() {}

  /**
   * Verifies {@code leaf} under {@code options}; never throws for a bad chain. A certificate that
   * trips an unexpected error while being examined is refused as malformed (fail closed).
   */
  public static Verification verify(X509Certificate leaf, VerifyOptions options) {
    try {
      return verifyChecked(leaf, options);
    } catch (RuntimeException e) {
      return Verification.invalid(Failure.MALFORMED, "certificate " + subject(leaf)
          + " or its chain could not be processed: " + oneLine(String.valueOf(e.getMessage())));
    }
  }

  private static Verification verifyChecked(X509Certificate leaf, VerifyOptions options) {
    // Validity is encoded in whole seconds: compare at that granularity (RFC 5280 4.1.2.5).
    Instant at = (options.at != null ? options.at : Instant.now()).truncatedTo(ChronoUnit.SECONDS);
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
    Verification leafProblem = PathValidator.checkLeaf(leaf, options);
    if (leafProblem != null) {
      return leafProblem;
    }
    Verification result = new PathBuilder(options, anchors, at).build(leaf);
    if (!result.isValid()) {
      return result;
    }
    Verification use = PathValidator.checkLeafUse(leaf, options);
    if (use != null) {
      return use;
    }
    String ekuProblem = options.isSpiffe() ? svidEkuProblem(leaf) : null;
    if (ekuProblem != null) {
      return Verification.invalid(Failure.EXTENDED_KEY_USAGE, ekuProblem);
    }
    return authorize(result, options, id);
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
    SpiffeId id;
    try {
      id = SpiffeId.parse(uris.get(0));
    } catch (BadInputException e) {
      return "not an X.509-SVID: URI SAN '" + uris.get(0) + "' is not a SPIFFE ID (" + e.getMessage() + ")";
    }
    if (id.path().isEmpty()) {
      return "not an X.509-SVID: the leaf's SPIFFE ID " + id
          + " has no path; a trust domain ID names no workload (X.509-SVID 3.1, 5.2)";
    }
    if (leaf.getBasicConstraints() >= 0) {
      return "not an X.509-SVID: the leaf " + subject(leaf) + " is a CA certificate (CA:TRUE)";
    }
    // X.509-SVID 4.3: key usage MUST be present and critical on every SVID; a leaf MUST have
    // digitalSignature and MUST NOT have keyCertSign or cRLSign. An absent extension would otherwise
    // mean "any usage" under RFC 5280.
    boolean[] ku = leaf.getKeyUsage();
    if (ku == null) {
      return "not an X.509-SVID: the leaf " + subject(leaf) + " has no key usage (X.509-SVID 4.3: required,"
          + " with digitalSignature)";
    }
    if (!CertificateChecks.critical(leaf, KEY_USAGE_OID)) {
      return "not an X.509-SVID: the leaf " + subject(leaf) + " has a non-critical key usage (X.509-SVID 4.3:"
          + " MUST be critical)";
    }
    if (bit(ku, 5) || bit(ku, 6)) {
      return "not an X.509-SVID: the leaf " + subject(leaf) + " has keyCertSign or cRLSign";
    }
    if (!bit(ku, 0)) {
      return "not an X.509-SVID: the leaf " + subject(leaf) + " lacks digitalSignature";
    }
    return null;
  }

  /**
   * X.509-SVID 4.4: a leaf's extended key usage, when present, MUST hold both serverAuth and
   * clientAuth; null when it does. Checked after the role (the peer's own EKU) so that a leaf
   * used in the wrong role is named for that first.
   */
  static String svidEkuProblem(X509Certificate leaf) {
    List<String> eku = eku(leaf);
    if (eku == null || eku.contains(Usage.SERVER.oid()) && eku.contains(Usage.CLIENT.oid())) {
      return null;
    }
    return "not an X.509-SVID: the leaf " + subject(leaf) + " has extended key usage " + ekuNames(eku)
        + "; X.509-SVID 4.4 requires both serverAuth and clientAuth when the extension is present";
  }

  private static final String KEY_USAGE_OID = "2.5.29.15";

  /** A key usage bit; the JDK may return an array shorter than the nine named bits. */
  static boolean bit(boolean[] keyUsage, int index) {
    return index < keyUsage.length && keyUsage[index];
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
        case CertificateChecks.ANY_EKU -> "anyExtendedKeyUsage";
        default -> oid;
      });
    }
    return String.join(", ", names);
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

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  static String subject(X509Certificate c) {
    String dn = c.getSubjectX500Principal().getName();
    return dn.isEmpty() ? "(empty subject, serial " + c.getSerialNumber().toString(16) + ")" : dn;
  }
}
