package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 5: the seed's SPIRE {@code server.conf} (policy's test resource, unchanged) runs
 * {@code trustmesh server --config}; an agent started from a SPIRE {@code agent.conf} joins it with
 * a join token. The seed's paths live under /run/spire; the flags given here win over the file,
 * which is also what this proves (data_dir, the datastore inside it, the upstream files).
 */
class SpireConfigRunIT {
  static final Path SEED = Path.of("..", "policy", "src", "test", "resources", "seed", "spire", "server.conf")
      .toAbsolutePath().normalize();
  private static final Pattern LISTENING = Pattern.compile("server for example\\.org listening on 127\\.0\\.0\\.1:(\\d+)");
  @TempDir Path tmp;

  @Test
  void theSeedServerConfRunsAndAnAgentFromAgentConfJoinsIt() throws Exception {
    assertThat(SEED).isRegularFile();
    Proc.trustmeshOk(tmp, "ca", "init", "--trust-domain", "example.org", "--dir", "ca");
    Path adminSocket = tmp.resolve("admin.sock");
    try (Proc server = Proc.trustmesh(tmp, "server", "--config", SEED, "--data-dir", tmp.resolve("srv"),
        "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--admin-socket", adminSocket,
        "--upstream-cert", "ca/intermediates/default/ca.pem", "--upstream-key", "ca/intermediates/default/ca_key.pem",
        "--upstream-bundle", "ca/root.pem")) {
      await().atMost(Duration.ofSeconds(90)).until(() -> LISTENING.matcher(server.output()).find() || !server.isAlive());
      Matcher m = LISTENING.matcher(server.output());
      assertThat(m.find()).as(server.output()).isTrue();
      int port = Integer.parseInt(m.group(1));
      // The file's sqlite3 datastore and disk key manager, moved along with --data-dir.
      assertThat(tmp.resolve("srv/datastore.sqlite3")).isRegularFile();
      assertThat(tmp.resolve("srv/keys")).exists();
      assertThat(server.output()).as("a disk upstream is not self-signed").doesNotContain("upstream self-signed");

      String token = Proc.trustmeshOk(tmp, "token", "create", "--spiffe-id", "spiffe://example.org/agent/node-1",
          "--admin-socket", adminSocket).strip();
      Path conf = tmp.resolve("agent.conf");
      // server_port unquoted: hcl4j reads it as a number.
      Files.writeString(conf, """
          agent {
              data_dir = "%s"
              log_level = "INFO"
              server_address = "127.0.0.1"
              server_port = %d
              socket_path = "%s"
              trust_bundle_path = "%s"
              trust_domain = "example.org"
          }

          plugins {
              NodeAttestor "join_token" {
                  plugin_data {}
              }
              KeyManager "disk" {
                  plugin_data {
                      directory = "%s"
                  }
              }
              WorkloadAttestor "unix" {
                  plugin_data {}
              }
          }
          """.formatted(tmp.resolve("agent"), port, tmp.resolve("run/agent.sock"), tmp.resolve("ca/root.pem"),
          tmp.resolve("agent")));
      try (Proc agent = Proc.trustmesh(tmp, "agent", "--config", conf, "--join-token", token)) {
        await().atMost(Duration.ofSeconds(90)).until(() -> agent.output().contains("serving the Workload API")
            || !agent.isAlive());
        assertThat(agent.output()).as(agent.output()).contains("trustmesh: agent spiffe://example.org/agent/node-1"
            + " serving the Workload API on unix://" + tmp.resolve("run/agent.sock"));
        assertThat(tmp.resolve("run/agent.sock")).exists();
        agent.terminate();
        assertThat(agent.waitFor(30)).isZero();
      }
    }
  }

  @Test
  void theSeedServerConfGivenToTheAgentIsRefused() throws Exception {
    try (Proc agent = Proc.trustmesh(tmp, "agent", "--config", SEED)) {
      assertThat(agent.waitFor(120)).isEqualTo(2);
      assertThat(agent.output().strip()).isEqualTo("trustmesh: " + SEED + ":1: this is SPIRE's server.conf;"
          + " 'trustmesh agent --config' reads an agent.conf ('agent { ... }' block)");
    }
  }
}
