package io.trustmesh.api.grpc;

import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** DER encodings the Workload and node APIs carry: concatenated certificates and PKCS#8 keys. */
public final class Der {
  private Der() {}

  public static ByteString concat(List<X509Certificate> certs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (X509Certificate c : certs) {
      out.writeBytes(encoded(c));
    }
    return ByteString.copyFrom(out.toByteArray());
  }

  public static List<ByteString> each(List<X509Certificate> certs) {
    List<ByteString> out = new ArrayList<>();
    for (X509Certificate c : certs) {
      out.add(ByteString.copyFrom(encoded(c)));
    }
    return out;
  }

  /** Certificates already encoded (a CA's freshly signed chain), one {@link ByteString} each. */
  public static List<ByteString> eachEncoded(List<byte[]> ders) {
    List<ByteString> out = new ArrayList<>(ders.size());
    for (byte[] der : ders) {
      out.add(ByteString.copyFrom(der));
    }
    return out;
  }

  public static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses one or more concatenated DER certificates. */
  public static List<X509Certificate> certificates(ByteString der) {
    try {
      Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(der.toByteArray()));
      List<X509Certificate> out = new ArrayList<>();
      certs.forEach(c -> out.add((X509Certificate) c));
      return out;
    } catch (CertificateException e) {
      throw new IllegalArgumentException("malformed DER certificates: " + e.getMessage(), e);
    }
  }

  public static List<X509Certificate> certificates(List<ByteString> ders) {
    List<X509Certificate> out = new ArrayList<>();
    for (ByteString b : ders) {
      out.addAll(certificates(b));
    }
    return out;
  }

  public static PrivateKey privateKey(ByteString pkcs8) {
    byte[] bytes = pkcs8.toByteArray();
    for (String alg : new String[] {"EC", "RSA"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(bytes));
      } catch (java.security.GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("malformed PKCS#8 private key");
  }
}
