package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
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

  @Test
  void helpShowsTheNodeShape() {
    Cli.Result r = Cli.run("proxy", "run", "--help");
    assertThat(r.out()).contains("identities:").contains("identity: web").contains("Node shape");
  }
}
