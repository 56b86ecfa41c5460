package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trustmesh.core.io.FileOwnership;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sibling of issue 9's file holes, on the data plane: whoever can write a sidecar's trust bundle
 * decides whom it admits (append a CA of your own, and every certificate it signs gets in), and a
 * key others can read is no longer a secret. The sidecar now checks its identity files at start, as
 * ssh checks a key: each case here plants the weakness an attacker on the host would use, and the
 * start must stop with exit 2 and one line before anything listens.
 */
class SidecarIdentityFilesTest {
  @TempDir Path tmp;
  Path svid;

  @BeforeEach
  void issue() {
    Path ca = tmp.resolve("ca");
    svid = tmp.resolve("web");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca).exitCode()).isZero();
    assertThat(Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", "spiffe://example.org/web", "--out", svid)
        .exitCode()).isZero();
  }

  private Cli.Result startInbound() {
    // Port 0 would be fine too, but the refusal must come before any bind: an unused target suffices.
    return Cli.run("proxy", "inbound", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:9",
        "--svid-dir", svid, "--allow-trust-domain", "example.org");
  }

  @Test
  void aBundleOthersMayWriteIsRefused() throws Exception {
    Path bundle = svid.resolve("svid_bundle.pem");
    Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rw-rw-rw-"));
    Cli.Result r = startInbound();
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("trustmesh: trust bundle " + bundle + " is writable by group or others")
        .contains("mode 0666");
  }

  @Test
  void aDirectoryOthersMayWriteIsRefused() throws Exception {
    Files.setPosixFilePermissions(svid, PosixFilePermissions.fromString("rwxrwxrwx"));
    Cli.Result r = startInbound();
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).contains("the directory " + svid.toRealPath()).contains("is writable by group or others");
  }

  @Test
  void aKeyOthersMayReadIsRefused() throws Exception {
    Path key = svid.resolve("svid_key.pem");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Result r = startInbound();
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("trustmesh: SVID key " + key
        + " is accessible by group or others (mode 0644); make it readable by its owner only: chmod 600 " + key);
  }

  @Test
  void aBundleAnotherUserOwnsIsRefused() throws Exception {
    boolean root = FileOwnership.currentUid() == 0;
    if (System.getenv("CI") != null) {
      assertThat(root).as("CI runs as root, so this attack can be staged").isTrue();
    }
    assumeTrue(root, "needs root to give the bundle to uid 65534");
    Path bundle = svid.resolve("svid_bundle.pem");
    Files.setAttribute(bundle, "unix:uid", 65534);
    Cli.Result r = startInbound();
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("trustmesh: trust bundle " + bundle + " belongs to another user")
        .contains("owner uid 65534");
  }
}
