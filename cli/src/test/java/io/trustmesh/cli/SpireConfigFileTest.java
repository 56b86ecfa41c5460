package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.agent.AgentConfig;
import io.trustmesh.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11, item 5: SPIRE's server.conf and agent.conf mapped onto trustmesh's settings; what
 * trustmesh does not implement is refused with FILE:LINE before anything is created.
 */
class SpireConfigFileTest {
  static final Path SEED = Path.of("..", "policy", "src", "test", "resources", "seed", "spire", "server.conf");
  @TempDir Path tmp;

  @Test
  void theSeedServerConfMapsOntoTrustmeshSettings() {
    ServerConfig c = SpireConfigFile.server(SEED).config();
    assertThat(c.trustDomain.name()).isEqualTo("example.org");
    assertThat(c.listen).isEqualTo("0.0.0.0:8081");
    assertThat(c.dataDir).isEqualTo(Path.of("/run/spire/data"));
    assertThat(c.caTtl).isEqualTo(Duration.ofHours(168));
    assertThat(c.svidTtl).isEqualTo(Duration.ofHours(1));
    assertThat(c.datastore).as("the default file in data_dir follows --data-dir").isEqualTo("sqlite");
    assertThat(c.keyManager).isEqualTo("disk");
    assertThat(c.upstream).isEqualTo("disk");
    assertThat(c.upstreamCert).isEqualTo(Path.of("/run/spire/ca/intermediate.pem"));
    assertThat(c.upstreamKey).isEqualTo(Path.of("/run/spire/ca/intermediate-key.pem"));
    assertThat(c.upstreamBundle).isEqualTo(Path.of("/run/spire/ca/root.pem"));
    assertThat(SpireConfigFile.server(SEED).logLevel()).contains("INFO");
  }

  @Test
  void anAgentConfMapsOntoAgentSettings() throws Exception {
    Path f = write("agent.conf", """
        agent {
            data_dir = "/var/lib/spire/agent"
            server_address = "spire-server.example"
            server_port = 8081
            socket_path = "/run/spire/sockets/agent.sock"
            trust_bundle_path = "/etc/spire/bundle.pem"
            trust_domain = "example.org"
            join_token = "3f2a"
        }
        plugins {
            NodeAttestor "join_token" { plugin_data {} }
            KeyManager "disk" { plugin_data { directory = "/var/lib/spire/agent" } }
            WorkloadAttestor "unix" { plugin_data {} }
        }
        """);
    SpireConfigFile.Agent a = SpireConfigFile.agent(f);
    AgentConfig c = a.config();
    assertThat(c.server).isEqualTo("spire-server.example:8081");
    assertThat(c.dataDir).isEqualTo(Path.of("/var/lib/spire/agent"));
    assertThat(c.socket).isEqualTo("unix:///run/spire/sockets/agent.sock");
    assertThat(c.trustBundle).isEqualTo(Path.of("/etc/spire/bundle.pem"));
    assertThat(c.joinToken).contains("3f2a");
    assertThat(a.trustDomain().name()).isEqualTo("example.org");
    assertThat(a.logLevel()).isEqualTo(Optional.empty());
  }

  @Test
  void aPostgresDataStoreAndAMemoryKeyManagerMap() throws Exception {
    Path f = write("server.hcl", """
        server {
            trust_domain = "example.org"
            data_dir = "/var/lib/spire"
        }
        plugins {
            DataStore "sql" {
                plugin_data {
                    database_type = "postgres"
                    connection_string = "postgres://spire:pw@db:5432/spire"
                }
            }
            KeyManager "memory" { plugin_data {} }
        }
        """);
    ServerConfig c = SpireConfigFile.server(f).config();
    assertThat(c.datastore).isEqualTo("postgres://spire:pw@db:5432/spire");
    assertThat(c.keyManager).isEqualTo("memory");
    assertThat(c.upstream).isEqualTo("self-signed");
  }

  /** Each refusal: the line of the file, what is refused, what trustmesh supports instead. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "ca_subject = { country = [\"US\"] }|3|server setting 'ca_subject' is not supported (trustmesh maps bind_address,"
          + " bind_port, ca_key_type, ca_ttl, data_dir, default_x509_svid_ttl, log_level, socket_path, trust_domain)",
      "ca_key_type = \"rsa-2048\"|3|ca_key_type 'rsa-2048' is not supported (trustmesh's signing CA uses ec-p256)",
      "ca_ttl = \"a week\"|3|ca_ttl: invalid duration 'a week'",
  })
  void aServerSettingTrustmeshDoesNotHaveIsRefused(String setting, int line, String message) throws Exception {
    Path f = write("server.conf", "server {\n    trust_domain = \"example.org\"\n    " + setting
        + "\n    data_dir = \"" + tmp.resolve("data") + "\"\n}\n");
    Cli.Result r = Cli.run("server", "--config", f);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("trustmesh: " + f + ":" + line + ": " + message);
    assertThat(tmp.resolve("data")).as("a refused start creates nothing").doesNotExist();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "NodeAttestor \"k8s_psat\" { plugin_data { clusters = {} } }|plugin NodeAttestor \"k8s_psat\" is not supported"
          + " (trustmesh attests nodes with NodeAttestor \"join_token\")",
      "KeyManager \"aws_kms\" { plugin_data { region = \"us-east-1\" } }|plugin KeyManager \"aws_kms\" is not supported"
          + " (trustmesh supports KeyManager \"disk\" and \"memory\")",
      "UpstreamAuthority \"vault\" { plugin_data { vault_addr = \"https://vault\" } }|plugin UpstreamAuthority"
          + " \"vault\" is not supported (trustmesh supports UpstreamAuthority \"disk\", or none for a self-signed root)",
      "DataStore \"sql\" { plugin_data { database_type = \"mysql\" } }|DataStore \"sql\" database_type 'mysql' is not"
          + " supported (trustmesh supports sqlite3 and postgres)",
      "KeyManager \"disk\" { plugin_data { keys_path = \"/etc/spire/keys.json\" } }|KeyManager \"disk\" keys_path"
          + " '/etc/spire/keys.json' is outside data_dir",
      "NodeAttestor \"join_token\" { plugin_data { ttl = \"1h\" } }|NodeAttestor \"join_token\" plugin_data 'ttl' is"
          + " not supported (trustmesh takes no settings for it)",
      "Notifier \"k8sbundle\" { plugin_data {} }|plugin Notifier \"k8sbundle\" is not supported (trustmesh's server"
          + " supports DataStore \"sql\", KeyManager \"disk\" or \"memory\", NodeAttestor \"join_token\" and"
          + " UpstreamAuthority \"disk\")",
  })
  void aPluginTrustmeshDoesNotHaveIsRefusedWithItsLine(String plugin, String message) throws Exception {
    Path f = write("server.conf", "server {\n    trust_domain = \"example.org\"\n    data_dir = \""
        + tmp.resolve("data") + "\"\n}\n\nplugins {\n    " + plugin + "\n}\n");
    Cli.Result r = Cli.run("server", "--config", f);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("trustmesh: " + f + ":7: " + message);
    assertThat(tmp.resolve("data")).doesNotExist();
  }

  @Test
  void aPostgresConnectionStringInKeyValueFormIsRefused() throws Exception {
    Path f = write("server.conf", """
        server {
            trust_domain = "example.org"
        }
        plugins {
            DataStore "sql" {
                plugin_data {
                    database_type = "postgres"
                    connection_string = "dbname=spire host=db"
                }
            }
        }
        """);
    Cli.Result r = Cli.run("server", "--config", f);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("trustmesh: " + f + ":5: DataStore \"sql\" connection_string for postgres"
        + " must be a URI (postgres://user:password@host:port/db); trustmesh does not read the key=value form");
  }

  @Test
  void otherTopLevelBlocksAreRefused() throws Exception {
    Path f = write("server.conf", """
        server {
            trust_domain = "example.org"
        }

        # SPIRE's health endpoint
        health_checks {
            listener_enabled = true
        }
        """);
    Cli.Result r = Cli.run("server", "--config", f);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("trustmesh: " + f + ":6: 'health_checks' is not supported (trustmesh reads"
        + " the 'server' block and 'plugins'; health and metrics are served on --admin)");
  }

  @Test
  void hclFunctionsAreRefusedBeforeAnythingIsEvaluated() throws Exception {
    Path f = write("server.conf", "server {\n    trust_domain = file(\"/etc/shadow\")\n}\n");
    Cli.Result r = Cli.run("server", "--config", f);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("trustmesh: " + f + ":2: malformed HCL:").doesNotContain("root:");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "insecure_bootstrap = true|agent setting 'insecure_bootstrap' is not supported (trustmesh always verifies the"
          + " server: give trust_bundle_path)",
      "trust_bundle_url = \"https://bundle\"|agent setting 'trust_bundle_url' is not supported",
  })
  void anAgentSettingTrustmeshDoesNotHaveIsRefused(String setting, String message) throws Exception {
    Path f = write("agent.conf", "agent {\n    trust_domain = \"example.org\"\n    " + setting + "\n}\n");
    Cli.Result r = Cli.run("agent", "--config", f, "--data-dir", tmp.resolve("agent"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).startsWith("trustmesh: " + f + ":3: " + message);
    assertThat(tmp.resolve("agent")).doesNotExist();
  }

  @Test
  void anAgentWorkloadAttestorTrustmeshDoesNotHaveIsRefused() throws Exception {
    Path f = write("agent.conf", "agent {\n    trust_domain = \"example.org\"\n}\nplugins {\n"
        + "    WorkloadAttestor \"k8s\" { plugin_data {} }\n}\n");
    Cli.Result r = Cli.run("agent", "--config", f, "--data-dir", tmp.resolve("agent"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("trustmesh: " + f + ":5: plugin WorkloadAttestor \"k8s\" is not supported"
        + " (trustmesh's agent attests workloads with WorkloadAttestor \"unix\")");
  }

  @Test
  void aYamlConfigStillLoadsAsBefore() throws Exception {
    Path f = write("server.yaml", "trust_domain: example.org\ncolour: blue\n");
    Cli.Result r = Cli.run("server", "--config", f);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("trustmesh: unknown setting 'colour' in " + f);
  }

  @Test
  void theHelpSaysFlagsWinOverTheFile() {
    assertThat(Cli.run("server", "--help").out()).contains("Flags given on the command line win")
        .contains("over the file");
    assertThat(Cli.run("agent", "--help").out()).contains("Flags given on the command line win over the file.");
  }

  private Path write(String name, String text) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, text);
    return f;
  }
}
