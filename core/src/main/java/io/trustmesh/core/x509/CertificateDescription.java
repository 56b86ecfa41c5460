package io.trustmesh.core.x509;

import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.time.Durations;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;

/**
 * Everything a person checks when looking at a certificate, read once into plain values, for
 * {@code trustmesh cert inspect} (text or JSON).
 */
public record CertificateDescription(
    String subject,
    String issuer,
    String serial,
    Instant notBefore,
    Instant notAfter,
    String timeLeft,
    boolean expired,
    List<String> dnsNames,
    List<String> uris,
    List<String> ipAddresses,
    List<String> emails,
    Optional<String> spiffeId,
    String key,
    String signatureAlgorithm,
    List<String> keyUsage,
    List<String> extendedKeyUsage,
    boolean ca,
    Optional<Integer> pathLength,
    List<String> permittedNames,
    List<String> excludedNames,
    boolean selfSigned,
    String sha256Fingerprint) {

  private static final String[] KEY_USAGE_NAMES = {
    "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
    "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"
  };

  public static CertificateDescription of(X509Certificate c, Instant now) {
    Instant notAfter = c.getNotAfter().toInstant();
    boolean expired = now.isAfter(notAfter);
    List<String> uris = Extensions.uriSans(c);
    Optional<String> spiffe = Optional.empty();
    if (uris.size() == 1 && uris.get(0).startsWith("spiffe://") && c.getBasicConstraints() < 0) {
      try {
        spiffe = Optional.of(SpiffeId.parse(uris.get(0)).toString());
      } catch (RuntimeException e) {
        spiffe = Optional.empty();
      }
    }
    List<String> ku = new ArrayList<>();
    boolean[] bits = c.getKeyUsage();
    if (bits != null) {
      for (int i = 0; i < bits.length && i < KEY_USAGE_NAMES.length; i++) {
        if (bits[i]) {
          ku.add(KEY_USAGE_NAMES[i]);
        }
      }
    }
    List<String> eku = new ArrayList<>();
    try {
      if (c.getExtendedKeyUsage() != null) {
        for (String oid : c.getExtendedKeyUsage()) {
          eku.add(ekuName(oid));
        }
      }
    } catch (CertificateParsingException e) {
      eku.add("(malformed)");
    }
    List<String> permitted = new ArrayList<>();
    List<String> excluded = new ArrayList<>();
    try {
      Optional<NameConstraints> nc = Extensions.nameConstraints(c);
      if (nc.isPresent()) {
        addSubtrees(nc.get().getPermittedSubtrees(), permitted);
        addSubtrees(nc.get().getExcludedSubtrees(), excluded);
      }
    } catch (RuntimeException e) {
      permitted.add("(malformed)");
    }
    int bc = c.getBasicConstraints();
    return new CertificateDescription(
        c.getSubjectX500Principal().getName(),
        c.getIssuerX500Principal().getName(),
        HexFormat.ofDelimiter(":").formatHex(c.getSerialNumber().toByteArray()),
        c.getNotBefore().toInstant(),
        notAfter,
        expired ? "expired" : Durations.format(Duration.between(now, notAfter)),
        expired,
        Extensions.dnsSans(c),
        uris,
        Extensions.ipSans(c),
        Extensions.emailSans(c),
        spiffe,
        describeKey(c.getPublicKey()),
        c.getSigAlgName(),
        List.copyOf(ku),
        List.copyOf(eku),
        bc >= 0,
        bc >= 0 && bc != Integer.MAX_VALUE ? Optional.of(bc) : Optional.empty(),
        List.copyOf(permitted),
        List.copyOf(excluded),
        c.getSubjectX500Principal().equals(c.getIssuerX500Principal()),
        fingerprint(c));
  }

  private static void addSubtrees(GeneralSubtree[] subtrees, List<String> out) {
    if (subtrees == null) {
      return;
    }
    for (GeneralSubtree t : subtrees) {
      GeneralName n = t.getBase();
      String kind = switch (n.getTagNo()) {
        case GeneralName.dNSName -> "DNS:";
        case GeneralName.uniformResourceIdentifier -> "URI:";
        case GeneralName.rfc822Name -> "email:";
        case GeneralName.iPAddress -> "IP:";
        case GeneralName.directoryName -> "DirName:";
        default -> "other:";
      };
      out.add(kind + n.getName());
    }
  }

  static String describeKey(PublicKey key) {
    try {
      KeyType t = KeyType.of(key);
      return t.id();
    } catch (RuntimeException e) {
      if (key instanceof RSAPublicKey rsa) {
        return "rsa-" + rsa.getModulus().bitLength();
      }
      if (key instanceof ECPublicKey ec) {
        return "ec-" + ec.getParams().getCurve().getField().getFieldSize();
      }
      return key.getAlgorithm();
    }
  }

  static String ekuName(String oid) {
    return switch (oid) {
      case "1.3.6.1.5.5.7.3.1" -> "serverAuth";
      case "1.3.6.1.5.5.7.3.2" -> "clientAuth";
      case "1.3.6.1.5.5.7.3.3" -> "codeSigning";
      case "1.3.6.1.5.5.7.3.4" -> "emailProtection";
      case "1.3.6.1.5.5.7.3.8" -> "timeStamping";
      case "1.3.6.1.5.5.7.3.9" -> "OCSPSigning";
      case "2.5.29.37.0" -> "anyExtendedKeyUsage";
      default -> oid;
    };
  }

  public static String fingerprint(X509Certificate c) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether certificates are in chain order: each one issued (and signed) by the next. Returns an
   * empty optional when they are, or a sentence saying where the order breaks.
   */
  public static Optional<String> chainOrderProblem(List<X509Certificate> certs) {
    for (int i = 0; i + 1 < certs.size(); i++) {
      X509Certificate c = certs.get(i);
      X509Certificate next = certs.get(i + 1);
      if (!c.getIssuerX500Principal().equals(next.getSubjectX500Principal())) {
        return Optional.of("certificate " + (i + 1) + " (" + c.getSubjectX500Principal().getName()
            + ") is not issued by certificate " + (i + 2) + " (" + next.getSubjectX500Principal().getName() + ")");
      }
      try {
        c.verify(next.getPublicKey());
      } catch (Exception e) {
        return Optional.of("certificate " + (i + 1) + " is not signed by the key of certificate " + (i + 2));
      }
    }
    return Optional.empty();
  }
}
