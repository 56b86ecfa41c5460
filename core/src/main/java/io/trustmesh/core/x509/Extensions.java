package io.trustmesh.core.x509;

import io.trustmesh.core.spiffe.TrustDomain;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/** Small readers for the X.509 extensions trustmesh cares about, on JDK certificates. */
public final class Extensions {
  private Extensions() {}

  /** The URI subject alternative names, in certificate order. */
  public static List<String> uriSans(X509Certificate cert) {
    return sans(cert, GeneralName.uniformResourceIdentifier);
  }

  public static List<String> dnsSans(X509Certificate cert) {
    return sans(cert, GeneralName.dNSName);
  }

  public static List<String> ipSans(X509Certificate cert) {
    return sans(cert, GeneralName.iPAddress);
  }

  public static List<String> emailSans(X509Certificate cert) {
    return sans(cert, GeneralName.rfc822Name);
  }

  private static List<String> sans(X509Certificate cert, int type) {
    try {
      Collection<List<?>> all = cert.getSubjectAlternativeNames();
      List<String> out = new ArrayList<>();
      if (all != null) {
        for (List<?> san : all) {
          if (((Integer) san.get(0)) == type && san.get(1) instanceof String s) {
            out.add(s);
          }
        }
      }
      return List.copyOf(out);
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  public static Optional<byte[]> subjectKeyId(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (ext == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(SubjectKeyIdentifier.getInstance(unwrap(ext)).getKeyIdentifier());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  public static Optional<byte[]> authorityKeyId(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.authorityKeyIdentifier.getId());
    if (ext == null) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(AuthorityKeyIdentifier.getInstance(unwrap(ext)).getKeyIdentifierObject())
          .map(ASN1OctetString::getOctets);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  public static Optional<NameConstraints> nameConstraints(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.nameConstraints.getId());
    if (ext == null) {
      return Optional.empty();
    }
    return Optional.of(NameConstraints.getInstance(unwrap(ext)));
  }

  /**
   * The trust domains a CA certificate may sign for: the hosts of its permitted URI name
   * constraints, or (without constraints) the trust domains of its {@code spiffe://} URI SANs.
   */
  public static List<TrustDomain> trustDomainsOf(X509Certificate ca) {
    List<TrustDomain> out = new ArrayList<>();
    Optional<NameConstraints> nc = nameConstraints(ca);
    if (nc.isPresent() && nc.get().getPermittedSubtrees() != null) {
      for (GeneralSubtree t : nc.get().getPermittedSubtrees()) {
        if (t.getBase().getTagNo() == GeneralName.uniformResourceIdentifier) {
          out.add(TrustDomain.parse(t.getBase().getName().toString()));
        }
      }
      if (!out.isEmpty()) {
        return List.copyOf(out);
      }
    }
    for (String uri : uriSans(ca)) {
      if (uri.startsWith("spiffe://")) {
        out.add(TrustDomain.parse(uri));
      }
    }
    return List.copyOf(out);
  }

  static ASN1Primitive unwrap(byte[] extensionValue) {
    try {
      return ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extensionValue).getOctets());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("malformed extension: " + e.getMessage(), e);
    }
  }
}
