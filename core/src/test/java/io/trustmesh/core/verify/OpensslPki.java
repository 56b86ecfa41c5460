package io.trustmesh.core.verify;

import io.trustmesh.core.pem.Pem;
import java.io.IOException;
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
    key(name);
    openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + name, "-out", name + ".csr");
    Files.writeString(dir.resolve(name + ".cnf"), "[ext]\n" + ROOT_EXT + "\n");
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

  private void key(String name) throws IOException {
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name + ".key");
  }

  private X509Certificate read(String name) {
    return Pem.readCertificates(dir.resolve(name + ".pem")).get(0);
  }

  private void openssl(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
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
