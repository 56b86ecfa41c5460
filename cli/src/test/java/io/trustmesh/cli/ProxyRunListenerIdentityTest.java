package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code proxy run}: a listener naming an identity that does not exist is one line naming it, exit 2, before anything listens. */
class ProxyRunListenerIdentityTest {
  @TempDir Path tmp;

  @Test
  void aListenerNamingAMissingIdentityIsOneLineAndExit2() throws Exception {
    Path yaml = tmp.resolve("sidecar.yaml");
    Files.writeString(yaml, """
        identities:
          web: {svid_dir: web}
        inbound:
          - {name: api, listen: 127.0.0.1:0, target: 127.0.0.1:1, identity: api, allow: {any_id: true}}
        """);
    for (boolean check : new boolean[] {true, false}) {
      Cli.Result r = check ? Cli.run("proxy", "run", "--config", yaml, "--check") : Cli.run("proxy", "run", "--config", yaml);
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
      assertThat(r.errLines()).as(r.toString()).containsExactly("trustmesh: " + yaml
          + ": inbound[0].identity: no identity named 'api' under identities: (defined: web)");
    }
  }

  /**
   * The attack on the node shape: the process identity's files are sound, but one workload's own
   * bundle is writable by others (append a CA and every certificate it signs is admitted on that
   * workload's listener). The start must stop on it as it does for the process identity. Without the
   * check the sidecar starts and serves, so the timeout turns that into a failure instead of a hang.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aListenerIdentityWhoseBundleOthersMayWriteStopsTheStart() throws Exception {
    Path ca = tmp.resolve("ca");
    assertThat(Cli.run("ca", "init", "--trust-domain", "example.org", "--dir", ca).exitCode()).isZero();
    for (String w : new String[] {"node", "web"}) {
      assertThat(Cli.run("cert", "issue", "--ca", ca, "--spiffe-id", "spiffe://example.org/" + w, "--out",
          tmp.resolve(w)).exitCode()).isZero();
    }
    Path bundle = tmp.resolve("web").resolve("svid_bundle.pem");
    Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rw-rw-rw-"));
    Path yaml = tmp.resolve("sidecar.yaml");
    Files.writeString(yaml, """
        identity: {svid_dir: %s}
        identities:
          web: {svid_dir: %s}
        inbound:
          - {name: web, listen: 127.0.0.1:0, target: 127.0.0.1:9, identity: web, allow: {any_id: true}}
        """.formatted(tmp.resolve("node"), tmp.resolve("web")));
    Cli.Result r = Cli.run("proxy", "run", "--config", yaml);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).as(r.toString()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("trustmesh: trust bundle " + bundle + " is writable by group or others")
        .contains("mode 0666");
  }

  @Test
  void helpShowsTheNodeShape() {
    Cli.Result r = Cli.run("proxy", "run", "--help");
    assertThat(r.out()).contains("identities:").contains("identity: web").contains("Node shape");
  }
}
