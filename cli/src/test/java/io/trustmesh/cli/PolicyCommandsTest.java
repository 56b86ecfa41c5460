package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** analyze, tls-check and migrate plan as a user runs them: exit codes, tables, JSON, SARIF, errors. */
class PolicyCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SEED = Path.of(System.getProperty("user.dir"))
      .resolveSibling("policy/src/test/resources/seed").toString();

  @Test
  void analyzePrintsTheTableAndFindingsAndFailsOnAnError() {
    Cli.Result r = Cli.run("analyze", SEED, "--production", "production");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("NAMESPACE         WORKLOAD                    PORT  DATAPLANE      MODE        DECIDED BY");
    assertThat(r.out()).containsPattern("production +Deployment/payment-service +9090 +istio-sidecar +DISABLE +"
        + "PeerAuthentication production/payment-service \\(.*peer-authentication.yaml:36\\)");
    assertThat(r.out()).contains("ERROR   TM-ISTIO-002", "fix: ", "supports: PCI-DSS v4.0 4.2.1");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void failOnDecidesTheExitCode(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("warn.yaml");
    Files.writeString(f, "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: ext\n"
        + "  namespace: shop\nspec:\n  host: api.example.com\n  trafficPolicy:\n    tls:\n      mode: SIMPLE\n");
    assertThat(Cli.run("analyze", f).exitCode()).isEqualTo(0);
    assertThat(Cli.run("analyze", f, "--fail-on", "warning").exitCode()).isEqualTo(1);
    assertThat(Cli.run("analyze", f, "--fail-on", "info").exitCode()).isEqualTo(1);
  }

  @Test
  void jsonHasWorkloadsWithDecidedByAndFindingsWithReferences() throws Exception {
    Cli.Result r = Cli.run("analyze", SEED, "--output", "json");
    JsonNode root = JSON.readTree(r.out());
    JsonNode metrics = null;
    for (JsonNode w : root.path("workloads")) {
      if (w.path("workload").asText().equals("payment-service") && w.path("port").asInt() == 9090) {
        metrics = w;
      }
    }
    assertThat(metrics).isNotNull();
    assertThat(metrics.path("mode").asText()).isEqualTo("DISABLE");
    assertThat(metrics.path("decidedBy").path("name").asText()).isEqualTo("payment-service");
    assertThat(metrics.path("decidedBy").path("file").asText()).endsWith("peer-authentication.yaml");
    assertThat(metrics.path("decidedBy").path("line").asInt()).isEqualTo(36);
    JsonNode finding = root.path("findings").get(0);
    assertThat(finding.fieldNames()).toIterable()
        .contains("ruleId", "severity", "message", "file", "line", "fix", "references");
    assertThat(root.path("pairs").size()).isPositive();
  }

  @Test
  void sarifIs210WithRuleMetadataAndRegions() throws Exception {
    Cli.Result r = Cli.run("analyze", SEED, "--output", "sarif");
    JsonNode root = JSON.readTree(r.out());
    assertThat(root.path("version").asText()).isEqualTo("2.1.0");
    assertThat(root.path("$schema").asText()).contains("sarif-2.1.0");
    JsonNode run = root.path("runs").get(0);
    JsonNode rules = run.path("tool").path("driver").path("rules");
    assertThat(rules.size()).isEqualTo(36);
    assertThat(rules.get(0).path("help").path("text").asText()).startsWith("Fix:");
    JsonNode result = run.path("results").get(0);
    assertThat(rules.get(result.path("ruleIndex").asInt()).path("id").asText()).isEqualTo(result.path("ruleId").asText());
    JsonNode loc = result.path("locations").get(0).path("physicalLocation");
    assertThat(loc.path("artifactLocation").path("uri").asText()).doesNotStartWith("file:");
    assertThat(loc.path("region").path("startLine").asInt()).isPositive();
  }

  @Test
  void profileKeepsOnlyThatFrameworksReferences() throws Exception {
    JsonNode root = JSON.readTree(Cli.run("analyze", SEED, "--output", "json", "--profile", "hipaa").out());
    assertThat(root.path("profile").asText()).isEqualTo("hipaa");
    for (JsonNode f : root.path("findings")) {
      for (JsonNode ref : f.path("references")) {
        assertThat(ref.asText()).startsWith("HIPAA §164.312");
      }
    }
    Cli.Result bad = Cli.run("analyze", SEED, "--profile", "sox");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.errLines()).containsExactly("trustmesh: unknown profile 'sox' (expected pci-dss, hipaa or nist-800-207)");
  }

  @Test
  void badInputIsOneLineAndExit2OrAFinding(@TempDir Path dir) throws Exception {
    Cli.Result missing = Cli.run("analyze", dir.resolve("nope"));
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.errLines()).containsExactly("trustmesh: no such file or directory: " + dir.resolve("nope"));
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: [oops\n");
    Cli.Result r = Cli.run("analyze", broken);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("TM-INPUT-001", broken + ":4", "malformed YAML");
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void aDuplicateKeyExits2WithFileLineAndKey(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("pa.yaml");
    Files.writeString(f, "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n"
        + "  namespace: shop\nspec:\n  mtls:\n    mode: STRICT\n    mode: DISABLE\n");
    Cli.Result r = Cli.run("analyze", f);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("trustmesh: " + f + ":9: duplicate key 'mode' in spec.mtls (first at line 8)");
  }

  @Test
  void tlsCheckPrintsIstioctlColumns() {
    Cli.Result r = Cli.run("tls-check", "payment-service.production", SEED);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).containsPattern("HOST:PORT +STATUS +SERVER +CLIENT +AUTHN POLICY +DESTINATION RULE");
    assertThat(r.out()).containsPattern(
        "payment-service.production.svc.cluster.local:80 +OK +STRICT +ISTIO_MUTUAL +payment-service/production +default/istio-system");
    assertThat(r.out()).containsPattern(
        "payment-service.production.svc.cluster.local:9090 +CONFLICT +DISABLE +ISTIO_MUTUAL +payment-service/production +default/istio-system");
    assertThat(r.out()).contains("ISTIO_MUTUAL toward a port that is DISABLE");
    Cli.Result unknown = Cli.run("tls-check", "ghost.production", SEED);
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.errLines()).containsExactly("trustmesh: no Service production/ghost in the inputs");
  }

  @Test
  void migratePlanListsPlaintextClientsRolloutAndManifests(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("access.log");
    Files.writeString(log, String.join("\n",
        "{\"listener\":\"billing\",\"direction\":\"inbound\",\"peer_address\":\"10.0.3.7:51234\",\"tls\":\"plaintext\",\"result\":\"ok\"}",
        "{\"listener\":\"billing\",\"direction\":\"inbound\",\"peer_address\":\"10.0.3.7:51240\",\"tls\":\"plaintext\",\"result\":\"ok\"}",
        "{\"listener\":\"billing\",\"direction\":\"inbound\",\"peer_address\":\"10.0.1.2:40000\",\"peer_spiffe_id\":\"spiffe://cluster.local/ns/production/sa/payment-service\",\"tls\":\"mtls\",\"result\":\"ok\"}",
        "not json"));
    Cli.Result r = Cli.run("migrate", "plan", SEED, "--access-log", "legacy-namespace/billing=" + log);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).contains("legacy-namespace/billing:8080",
        "before STRICT: plaintext client 10.0.3.7 (2 connections): give it a sidecar or identity",
        "1. legacy-namespace: 1 blocker(s) first, then apply PeerAuthentication legacy-namespace/default with mtls.mode STRICT",
        "kind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: legacy-namespace\nspec:\n  mtls:\n    mode: STRICT");
    assertThat(r.err()).contains("skipped 1 line(s)");
    assertThat(Cli.run("migrate", "plan", SEED, "--access-log", "Bad Owner=" + log).exitCode()).isEqualTo(2);
  }

  @Test
  void everyPolicyCommandsHelpTeachesWithAnExample() {
    for (String[] cmd : new String[][] {{"analyze", "--help"}, {"tls-check", "--help"}, {"migrate", "plan", "--help"}}) {
      Cli.Result r = Cli.run((Object[]) cmd);
      assertThat(r.exitCode()).isEqualTo(0);
      assertThat(r.out()).contains("Example", "trustmesh " + cmd[0]);
    }
  }
}
