package io.trustmesh.core.verify;

import io.trustmesh.core.pem.Pem;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made by the {@code openssl} CLI (not by trustmesh), each from an extension config
 * file, so the verifier is tested against encodings nobody on this project wrote.
 */
final class OpensslPki {
  private final Path dir;
  private int serial = 1000;

  OpensslPki(Path dir) {
    this.dir = dir;
  }

  static final String ROOT_EXT = String.join("\n",
      "basicConstraints = critical, CA:TRUE",
      "keyUsage = critical, keyCertSign, cRLSign",
      "subjectKeyIdentifier = hash");

  static String caExt(String extra) {
    return String.join("\n",
        "basicConstraints = critical, CA:TRUE" + extra,
        "keyUsage = critical, keyCertSign, cRLSign",
        "subjectKeyIdentifier = hash",
        "authorityKeyIdentifier = keyid:always");
  }

  static String leafExt(String san, String basicConstraints) {
    return String.join("\n",
        "basicConstraints = critical, " + basicConstraints,
        "keyUsage = critical, digitalSignature",
        "extendedKeyUsage = serverAuth, clientAuth",
        "subjectKeyIdentifier = hash",
        "authorityKeyIdentifier = keyid:always",
        "subjectAltName = " + san);
  }

  /** A self-signed root valid for {@code days} days. */
  X509Certificate root(String name, int days) throws IOException {
    return root(name, days, "");
  }

  /** A self-signed root with extra extension lines. */
  X509Certificate root(String name, int days, String extraExt) throws IOException {
    key(name);
    openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + name, "-out", name + ".csr");
    Files.writeString(dir.resolve(name + ".cnf"), "[ext]\n" + ROOT_EXT + "\n" + extraExt + "\n");
    openssl("x509", "-req", "-in", name + ".csr", "-signkey", name + ".key", "-days", String.valueOf(days),
        "-set_serial", String.valueOf(serial++), "-sha256",
        "-extfile", name + ".cnf", "-extensions", "ext", "-out", name + ".pem");
    return read(name);
  }

  /** A certificate for {@code name} signed by {@code issuer}, with the given extension lines. */
  X509Certificate issue(String name, String issuer, String ext, int days) throws IOException {
    key(name);
    openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + name, "-out", name + ".csr");
    Files.writeString(dir.resolve(name + ".cnf"), "[ext]\n" + ext + "\n");
    openssl("x509", "-req", "-in", name + ".csr", "-CA", issuer + ".pem", "-CAkey", issuer + ".key",
        "-days", String.valueOf(days), "-set_serial", String.valueOf(serial++), "-sha256",
        "-extfile", name + ".cnf", "-extensions", "ext", "-out", name + ".pem");
    return read(name);
  }

  /** A CRL from {@code issuer} (made with {@code openssl ca -gencrl}) revoking the named certificates. */
  X509CRL crl(String issuer, String... revoked) throws IOException {
    Path db = dir.resolve(issuer + "-ca");
    Files.createDirectories(db);
    Files.writeString(db.resolve("index.txt"), "");
    Files.writeString(db.resolve("crlnumber"), "1000\n");
    Files.writeString(db.resolve("ca.cnf"), String.join("\n",
        "[ca]", "default_ca = CA_default", "[CA_default]", "database = index.txt", "crlnumber = crlnumber",
        "default_md = sha256", "default_crl_days = 30", "crl_extensions = crl_ext",
        "[crl_ext]", "authorityKeyIdentifier = keyid:always", ""));
    String key = dir.resolve(issuer + ".key").toString();
    String cert = dir.resolve(issuer + ".pem").toString();
    for (String r : revoked) {
      run(db, "ca", "-config", "ca.cnf", "-keyfile", key, "-cert", cert, "-revoke", dir.resolve(r + ".pem").toString());
    }
    run(db, "ca", "-config", "ca.cnf", "-keyfile", key, "-cert", cert, "-gencrl", "-out", "crl.pem");
    try (InputStream in = Files.newInputStream(db.resolve("crl.pem"))) {
      return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  private void key(String name) throws IOException {
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name + ".key");
  }

  private X509Certificate read(String name) {
    return Pem.readCertificates(dir.resolve(name + ".pem")).get(0);
  }

  private void openssl(String... args) throws IOException {
    run(dir, args);
  }

  private static void run(Path workDir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new IOException("openssl did not finish: " + cmd);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException("openssl failed (" + p.exitValue() + "): " + cmd + "\n" + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      p.destroyForcibly();
    }
  }
}
