package io.trustmesh.doctor.expiry;

import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.pem.PemException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the certificates of one file, whatever it is: PEM (also PEM text inside another file, such
 * as the trustmesh server's SQLite datastore, whose signing CAs are stored as PEM), DER, PKCS#12,
 * JKS, a Kubernetes manifest or a kubeconfig. A file with no certificate gives an empty list; a
 * file that should hold some and cannot be opened (a keystore with the wrong password, a corrupt
 * DER file) throws {@link PemException} naming it.
 */
final class CertificateReader {
  private static final Pattern PEM_BLOCK = Pattern.compile(
      "-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s\\\\n]+?-----END CERTIFICATE-----");
  private static final Set<String> BINARY_EXTENSIONS = Set.of("der", "cer", "crt", "p12", "pfx", "jks", "keystore", "truststore");
  private static final int JKS_MAGIC = 0xFEEDFEED;
  /** Bigger files are not certificate stores; skipping them keeps a scan of / bounded. */
  static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

  private final Optional<char[]> keystorePassword;

  CertificateReader(Optional<char[]> keystorePassword) {
    this.keystorePassword = keystorePassword;
  }

  /**
   * @param named whether the user named this file (then a file without certificates is an error);
   *     inside a directory, such files are skipped
   */
  List<FoundCertificate> read(Path file, boolean named) throws IOException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      if (named) {
        throw new PemException(file + " is larger than " + MAX_FILE_BYTES / (1024 * 1024) + " MiB; not a certificate file");
      }
      return List.of();
    }
    byte[] bytes = Files.readAllBytes(file);
    String path = file.toString();
    List<FoundCertificate> out = new ArrayList<>();
    if (bytes.length >= 4 && readInt(bytes) == JKS_MAGIC) {
      return keystore(bytes, "JKS", path);
    }
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    if (Manifests.looksLikeManifest(text)) {
      for (Manifests.Value v : Manifests.values(text)) {
        for (X509Certificate c : certificatesIn(v.bytes(), path + " " + v.key())) {
          out.add(new FoundCertificate(Source.manifest(path, v.namespace(), v.name(), v.key()), c));
        }
      }
      if (!out.isEmpty() || !text.contains("-----BEGIN CERTIFICATE-----")) {
        return out;
      }
    }
    if (text.contains("-----BEGIN CERTIFICATE-----")) {
      for (X509Certificate c : pemBlocks(text, path)) {
        out.add(new FoundCertificate(Source.file(path, null), c));
      }
      return out;
    }
    if (bytes.length > 0 && (bytes[0] & 0xff) == 0x30 && (named || BINARY_EXTENSIONS.contains(extension(file)))) {
      if (extension(file).equals("jks")) {
        return keystore(bytes, "JKS", path);
      }
      List<X509Certificate> der = certificatesIn(bytes, path);
      if (!der.isEmpty()) {
        der.forEach(c -> out.add(new FoundCertificate(Source.file(path, null), c)));
        return out;
      }
      try {
        return keystore(bytes, "PKCS12", path);
      } catch (PemException e) {
        if (named || BINARY_EXTENSIONS.contains(extension(file))) {
          throw e;
        }
        return out;
      }
    }
    if (named) {
      throw new PemException("no certificate found in " + file);
    }
    return out;
  }

  /** Certificates in a decoded manifest value: PEM text or DER. */
  private static List<X509Certificate> certificatesIn(byte[] value, String source) {
    String text = new String(value, StandardCharsets.ISO_8859_1);
    if (text.contains("-----BEGIN CERTIFICATE-----")) {
      return pemBlocks(text, source);
    }
    if (value.length > 0 && (value[0] & 0xff) == 0x30) {
      try {
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(value))) {
          out.add((X509Certificate) c);
        }
        return out;
      } catch (CertificateException | RuntimeException e) {
        return List.of();
      }
    }
    return List.of();
  }

  /** Every PEM certificate block in a text, even one embedded in a binary file or an escaped string. */
  static List<X509Certificate> pemBlocks(String text, String source) {
    List<X509Certificate> out = new ArrayList<>();
    Matcher m = PEM_BLOCK.matcher(text);
    while (m.find()) {
      String block = m.group().replace("\\n", "\n");
      out.addAll(Pem.parseCertificates(block.getBytes(StandardCharsets.US_ASCII), source));
    }
    return out;
  }

  private List<FoundCertificate> keystore(byte[] bytes, String type, String path) {
    try {
      KeyStore ks = KeyStore.getInstance(type);
      // JKS checks its integrity only when a password is given; certificates are readable without one.
      ks.load(new ByteArrayInputStream(bytes), keystorePassword.orElse(null));
      List<FoundCertificate> out = new ArrayList<>();
      for (String alias : Collections.list(ks.aliases())) {
        Certificate[] chain = ks.getCertificateChain(alias);
        if (chain == null && ks.getCertificate(alias) != null) {
          chain = new Certificate[] {ks.getCertificate(alias)};
        }
        if (chain != null) {
          for (Certificate c : chain) {
            if (c instanceof X509Certificate x) {
              out.add(new FoundCertificate(Source.file(path, alias), x));
            }
          }
        }
      }
      if (out.isEmpty()) {
        // PKCS#12 opened without a password hides its encrypted certificate bags instead of failing.
        throw new PemException("no readable certificate in " + type + " keystore " + path
            + (keystorePassword.isEmpty() ? " (does it need a password? --keystore-password-file)" : ""));
      }
      return out;
    } catch (IOException | GeneralSecurityException e) {
      throw new PemException("cannot open " + type + " keystore " + path + ": " + e.getMessage()
          + (keystorePassword.isEmpty() ? " (does it need a password? --keystore-password-file)" : " (wrong password in --keystore-password-file?)"));
    }
  }

  private static String extension(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static int readInt(byte[] b) {
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }
}
