package io.trustmesh.core.pem;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Reads and writes the formats people hand around: PEM certificates and chains, PKCS#8 private
 * keys (optionally encrypted with a passphrase), PKCS#10 CSRs; and, for inspection, DER
 * certificates and PKCS#12 stores.
 *
 * <p>Every error names the file and what was wrong with it, in one line.
 */
public final class Pem {
  /** PBKDF2 iterations for encrypted keys: OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
  private static final int PBKDF2_ITERATIONS = 600_000;

  /**
   * Bouncy Castle as a private provider for PKCS#8 encryption only (the JDK lacks the cipher names
   * it asks for). It is deliberately not registered, so it never takes over other operations. Built
   * on first use: its tables of ~1,000 services cost a sidecar, which reads only unencrypted keys,
   * several MB of heap and metaspace.
   */
  private static final class BouncyCastle {
    static final Provider PROVIDER = new BouncyCastleProvider();
  }

  private Pem() {}

  // ---------------------------------------------------------------- reading

  /** Reads every certificate of a PEM file, in file order; at least one must be present. */
  public static List<X509Certificate> readCertificates(Path file) {
    List<X509Certificate> certs = parseCertificates(read(file), file.toString());
    if (certs.isEmpty()) {
      throw new PemException("no certificate found in " + file);
    }
    return certs;
  }

  /** Reads certificates from PEM text; {@code source} names it in errors. */
  public static List<X509Certificate> parseCertificates(byte[] content, String source) {
    String text = new String(content, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN")) {
      throw new PemException(
          content.length == 0 ? source + " is empty" : source + " is not PEM (no -----BEGIN line)");
    }
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object o;
      while ((o = parseNext(parser, source)) != null) {
        if (o instanceof X509CertificateHolder holder) {
          out.add(toX509(holder.getEncoded(), source));
        }
      }
    } catch (IOException e) {
      throw new PemException("malformed PEM in " + source + ": " + oneLine(e));
    }
    return out;
  }

  /**
   * Reads certificates from PEM, DER or PKCS#12, for inspection. A PKCS#12 store is opened with the
   * given password, or an empty one.
   */
  public static List<X509Certificate> readAnyCertificates(Path file, Optional<char[]> password) {
    byte[] content = read(file);
    String head = new String(content, 0, Math.min(content.length, 4096), StandardCharsets.US_ASCII);
    if (content.length == 0) {
      throw new PemException(file + " is empty");
    }
    if (head.contains("-----BEGIN")) {
      List<X509Certificate> certs = parseCertificates(content, file.toString());
      if (certs.isEmpty()) {
        throw new PemException("no certificate found in " + file);
      }
      return certs;
    }
    if ((content[0] & 0xff) != 0x30) {
      throw new PemException(file + " is not a certificate file (neither PEM, DER nor PKCS#12)");
    }
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      Collection<? extends Certificate> der = cf.generateCertificates(new ByteArrayInputStream(content));
      if (!der.isEmpty()) {
        List<X509Certificate> out = new ArrayList<>();
        der.forEach(c -> out.add((X509Certificate) c));
        return out;
      }
    } catch (CertificateException | RuntimeException notDer) {
      // fall through to PKCS#12
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(new ByteArrayInputStream(content), password.orElse(new char[0]));
      List<X509Certificate> out = new ArrayList<>();
      for (String alias : Collections.list(ks.aliases())) {
        Certificate[] chain = ks.getCertificateChain(alias);
        if (chain != null) {
          for (Certificate c : chain) {
            out.add((X509Certificate) c);
          }
        } else if (ks.getCertificate(alias) != null) {
          out.add((X509Certificate) ks.getCertificate(alias));
        }
      }
      if (out.isEmpty()) {
        throw new PemException("no certificate found in PKCS#12 file " + file);
      }
      return out;
    } catch (IOException e) {
      if (e.getCause() instanceof java.security.UnrecoverableKeyException
          || String.valueOf(e.getMessage()).contains("password")) {
        throw new PemException("cannot open PKCS#12 file " + file + ": wrong or missing password");
      }
      throw new PemException(file + " is not a certificate file (neither PEM, DER nor PKCS#12)");
    } catch (GeneralSecurityException e) {
      throw new PemException("cannot read PKCS#12 file " + file + ": " + oneLine(e));
    }
  }

  /**
   * Reads one private key: PKCS#8 ({@code PRIVATE KEY}), encrypted PKCS#8 ({@code ENCRYPTED PRIVATE
   * KEY}, needs the passphrase), or the legacy SEC1/PKCS#1 forms OpenSSL writes.
   */
  public static PrivateKey readPrivateKey(Path file, Optional<char[]> passphrase) {
    return parsePrivateKey(read(file), file.toString(), passphrase);
  }

  public static PrivateKey parsePrivateKey(byte[] content, String source, Optional<char[]> passphrase) {
    String text = new String(content, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN")) {
      throw new PemException(
          content.length == 0 ? source + " is empty" : source + " is not PEM (no -----BEGIN line)");
    }
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object o;
      while ((o = parseNext(parser, source)) != null) {
        if (o instanceof PrivateKeyInfo info) {
          return jdkPrivateKey(info, source);
        }
        if (o instanceof PEMKeyPair pair) {
          return jdkPrivateKey(pair.getPrivateKeyInfo(), source);
        }
        if (o instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
          char[] pass = passphrase.orElseThrow(() -> new PemException(
              source + " is encrypted: pass the passphrase with --passphrase-file"));
          try {
            return jdkPrivateKey(encrypted.decryptPrivateKeyInfo(
                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BouncyCastle.PROVIDER).build(pass)), source);
          } catch (PKCSException | OperatorCreationException e) {
            throw new PemException("wrong passphrase for " + source);
          }
        }
        if (o instanceof PEMEncryptedKeyPair) {
          throw new PemException(source
              + " uses legacy OpenSSL key encryption; convert it with: openssl pkcs8 -topk8 -in "
              + source);
        }
      }
    } catch (IOException e) {
      throw new PemException("malformed PEM in " + source + ": " + oneLine(e));
    }
    throw new PemException("no private key found in " + source);
  }

  /**
   * A key from the JDK's own key factories ({@code EC}, {@code RSA}), whatever providers are
   * registered: a key whose algorithm reads {@code ECDSA} (as Bouncy Castle names it) is silently
   * skipped by JSSE when it chooses a client certificate.
   */
  private static PrivateKey jdkPrivateKey(PrivateKeyInfo info, String source) {
    String oid = info.getPrivateKeyAlgorithm().getAlgorithm().getId();
    String algorithm = switch (oid) {
      case "1.2.840.10045.2.1" -> "EC";
      case "1.2.840.113549.1.1.1" -> "RSA";
      case "1.2.840.113549.1.1.10" -> "RSASSA-PSS";
      case "1.3.101.112" -> "Ed25519";
      default -> throw new PemException("unsupported private key algorithm " + oid + " in " + source);
    };
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException | IOException e) {
      throw new PemException("malformed " + algorithm + " private key in " + source + ": " + oneLine(e));
    }
  }

  /** Reads a PKCS#10 certificate signing request (PEM). */
  public static PKCS10CertificationRequest readCsr(Path file) {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN")) {
      throw new PemException(text.isEmpty() ? file + " is empty" : file + " is not PEM (no -----BEGIN line)");
    }
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object o;
      while ((o = parseNext(parser, file.toString())) != null) {
        if (o instanceof PKCS10CertificationRequest csr) {
          return csr;
        }
      }
    } catch (IOException e) {
      throw new PemException("malformed PEM in " + file + ": " + oneLine(e));
    }
    throw new PemException("no certificate request found in " + file);
  }

  private static Object parseNext(PEMParser parser, String source) throws IOException {
    try {
      return parser.readObject();
    } catch (IllegalArgumentException | IllegalStateException | ClassCastException e) {
      // Bouncy Castle reports corrupt base64 or DER inside a valid-looking block this way.
      throw new PemException("malformed PEM in " + source + ": " + oneLine(e));
    }
  }

  private static X509Certificate toX509(byte[] der, String source) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      return (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new PemException("malformed certificate in " + source + ": " + oneLine(e));
    }
  }

  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new PemException("file not found: " + file);
    } catch (IOException e) {
      throw new PemException("cannot read " + file + ": " + oneLine(e));
    }
  }

  // ---------------------------------------------------------------- writing

  public static byte[] encodeCertificates(List<X509Certificate> certs) {
    return encode(certs.toArray());
  }

  public static byte[] encodeCsr(PKCS10CertificationRequest csr) {
    try {
      return encode(new PemObject("CERTIFICATE REQUEST", csr.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** PKCS#8 PEM; encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) when a passphrase is given. */
  public static byte[] encodePrivateKey(PrivateKey key, Optional<char[]> passphrase) {
    try {
      OutputEncryptor encryptor = null;
      if (passphrase.isPresent()) {
        encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
            .setProvider(BouncyCastle.PROVIDER)
            .setPRF(JcaPKCS8Generator.PRF_HMACSHA256)
            .setIterationCount(PBKDF2_ITERATIONS)
            .setPassword(passphrase.get())
            .build();
      }
      return encode(new JcaPKCS8Generator(key, encryptor).generate());
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot encode private key: " + e.getMessage(), e);
    }
  }

  private static byte[] encode(Object... objects) {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      for (Object o : objects) {
        w.writeObject(o);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sw.toString().getBytes(StandardCharsets.US_ASCII);
  }

  // ---------------------------------------------------------------- checks

  /** True when {@code key} is the private half of {@code publicKey} (a signature round trip). */
  public static boolean keysMatch(PrivateKey key, PublicKey publicKey) {
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())
        && !(key.getAlgorithm().startsWith("EC") && publicKey instanceof ECPublicKey)) {
      return false;
    }
    try {
      String alg = publicKey instanceof ECPublicKey ? "SHA256withECDSA" : "SHA256withRSA";
      byte[] probe = "trustmesh key match probe".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(alg);
      signer.initSign(key);
      signer.update(probe);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(alg);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static String oneLine(Throwable t) {
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return msg.replaceAll("\\s+", " ").trim();
  }
}
