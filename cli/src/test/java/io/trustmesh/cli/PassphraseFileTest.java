package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 item 9, as found: a 0666 passphrase file and a one-character passphrase were accepted.
 * Now every command that reads a passphrase file, and every private key the commands read, refuses
 * a file group or others may read or write (as ssh does), and a passphrase that is to encrypt a key
 * must have at least 12 characters; each refusal is one line saying why, exit 2, nothing written.
 */
class PassphraseFileTest {
  static final String GOOD = "correct horse battery staple\n";
  @TempDir Path tmp;

  /** A secret file as an operator should make it: readable and writable by its owner only. */
  static Path ownerOnly(Path file, String content) throws Exception {
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private Path withMode(String name, String content, String mode) throws Exception {
    Path f = ownerOnly(tmp.resolve(name), content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  private static String octal(String mode) {
    int m = 0;
    for (char c : mode.toCharArray()) {
      m = (m << 1) | (c == '-' ? 0 : 1);
    }
    return String.format("%04o", m);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-rw-rw-", "rw-r--r--", "rw-r-----", "rw--w----", "rw----r--", "rw-----w-"})
  void caInitRefusesAPassphraseFileOthersMayReadOrWrite(String mode) throws Exception {
    Path pass = withMode("pass", GOOD, mode);
    Path ca = tmp.resolve("ca");
    Cli.Result r = Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca, "--passphrase-file", pass);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("trustmesh: passphrase file " + pass + " is accessible by group or others"
        + " (mode " + octal(mode) + "); make it readable by its owner only: chmod 600 " + pass);
    assertThat(ca).doesNotExist();
  }

  @Test
  void caInitRefusesAPassphraseUnderTwelveCharacters() throws Exception {
    Path pass = ownerOnly(tmp.resolve("pass"), "x\n");
    Path ca = tmp.resolve("ca");
    Cli.Result r = Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca, "--passphrase-file", pass);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("trustmesh: passphrase in " + pass
        + " is too short (1 characters; at least 12 required)");
    assertThat(ca).doesNotExist();

    Path eleven = ownerOnly(tmp.resolve("eleven"), "abcdefghijk\n");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca, "--passphrase-file", eleven)
        .exitCode()).isEqualTo(2);
    Path twelve = ownerOnly(tmp.resolve("twelve"), "abcdefghijkl\n");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca, "--passphrase-file", twelve)
        .exitCode()).isZero();
  }

  @Test
  void caIntermediateRefusesAPassphraseFileOthersMayRead() throws Exception {
    Path pass = ownerOnly(tmp.resolve("pass"), GOOD);
    Path ca = tmp.resolve("ca");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca, "--passphrase-file", pass)
        .exitCode()).isZero();
    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Result r = Cli.run("ca", "intermediate", "--dir", ca, "--name", "c2", "--passphrase-file", pass);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("trustmesh: passphrase file " + pass + " is accessible by group or others"
        + " (mode 0644); make it readable by its owner only: chmod 600 " + pass);
    assertThat(ca.resolve("intermediates/c2")).doesNotExist();
  }

  /**
   * A node API port that is taken: the refusals below come before any bind, and a server that wrongly
   * accepted the file still stops (instead of serving forever in the test's JVM).
   */
  private static String takenListen(ServerSocket taken) {
    return "127.0.0.1:" + taken.getLocalPort();
  }

  @Test
  void serverRefusesAKeyPassphraseFileOthersMayReadOrAShortOneAndCreatesNothing() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      serverRefusesKeyPassphraseFiles(takenListen(taken));
    }
  }

  private void serverRefusesKeyPassphraseFiles(String listen) throws Exception {
    Path data = tmp.resolve("srv");
    Path open = withMode("keys.pass", GOOD, "rw-rw-rw-");
    Cli.Result r = Cli.run("server", "--trust-domain", "example.org", "--data-dir", data, "--listen", listen,
        "--admin", "127.0.0.1:0", "--admin-socket", tmp.resolve("admin.sock"), "--key-passphrase-file", open);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("trustmesh: passphrase file " + open + " is accessible by group or others"
        + " (mode 0666); make it readable by its owner only: chmod 600 " + open);

    Path shortOne = ownerOnly(tmp.resolve("short.pass"), "hunter2\n");
    r = Cli.run("server", "--trust-domain", "example.org", "--data-dir", data, "--listen", listen,
        "--admin", "127.0.0.1:0", "--admin-socket", tmp.resolve("admin.sock"), "--key-passphrase-file", shortOne);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("trustmesh: passphrase in " + shortOne
        + " is too short (7 characters; at least 12 required)");
    assertThat(data).doesNotExist();
  }

  @Test
  void certIssueRefusesAnIntermediateKeyOthersMayRead() throws Exception {
    Path ca = tmp.resolve("ca");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca).exitCode()).isZero();
    Path key = ca.resolve("intermediates/default/ca_key.pem");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Result r = Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", "spiffe://example.org/web", "--out",
        tmp.resolve("out"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("trustmesh: intermediate key " + key + " is accessible by group or others"
        + " (mode 0644); make it readable by its owner only: chmod 600 " + key);
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void serverRefusesAnUpstreamKeyOthersMayRead() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      serverRefusesUpstreamKey(takenListen(taken));
    }
  }

  private void serverRefusesUpstreamKey(String listen) throws Exception {
    Path ca = tmp.resolve("ca");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca).exitCode()).isZero();
    Path key = ca.resolve("intermediates/default/ca_key.pem");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-r--"));
    Path data = tmp.resolve("srv");
    Cli.Result r = Cli.run("server", "--trust-domain", "example.org", "--data-dir", data, "--listen", listen,
        "--admin", "127.0.0.1:0", "--admin-socket", tmp.resolve("admin.sock"),
        "--upstream-cert", ca.resolve("intermediates/default/ca.pem"), "--upstream-key", key);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("trustmesh: upstream key " + key + " is accessible by group or others"
        + " (mode 0664); make it readable by its owner only: chmod 600 " + key);
    assertThat(data).doesNotExist();
  }
}
