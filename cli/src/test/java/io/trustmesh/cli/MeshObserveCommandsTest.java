package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wiring of {@code edges}, {@code tap} and {@code dashboard}: options, exit codes, one-line
 * errors. What they print over real sidecars is proven in the mesh module
 * ({@code EdgesAndTapOverRealSidecarsTest}); here one access-log line in the proxy's format stands in.
 */
class MeshObserveCommandsTest {
  @TempDir Path dir;

  @BeforeEach
  void aMeshWithOneConnection() throws Exception {
    Path log = dir.resolve("logs/api.inbound.jsonl");
    Files.createDirectories(log.getParent());
    Files.writeString(dir.resolve("state.json"), """
        {"version": 1, "trust_domain": "example.org", "services": [
          {"name": "api", "namespace": "backend", "spiffe_id": "spiffe://example.org/ns/backend/sa/api",
           "sidecars": [{"kind": "inbound", "port": 8081, "mode": "STRICT", "access_log": "%s"}]},
          {"name": "web", "namespace": "frontend", "spiffe_id": "spiffe://example.org/ns/frontend/sa/web",
           "sidecars": []}]}
        """.formatted(log));
    Files.writeString(log, "{\"time\":\"" + Instant.now() + "\",\"listener\":\"api\",\"direction\":\"inbound\","
        + "\"peer_address\":\"127.0.0.1:50000\",\"peer_spiffe_id\":\"spiffe://example.org/ns/frontend/sa/web\","
        + "\"tls\":\"mtls\",\"bytes_from_client\":10,\"bytes_to_client\":20,\"duration_ms\":1.5,\"result\":\"ok\"}\n");
  }

  @Test
  void edgesPrintsTheTableAndJson() throws Exception {
    Cli.Result text = Cli.run("edges", "--state-dir", dir);
    assertThat(text.exitCode()).as(text.toString()).isZero();
    assertThat(text.out().lines().map(l -> l.replaceAll(" {2,}", "  ")).toList()).containsExactly(
        "SRC  DST  SRC_NS  DST_NS  CLIENT_ID  SERVER_ID  SECURED  CONNECTIONS",
        "web  api  frontend  backend  spiffe://example.org/ns/frontend/sa/web  spiffe://example.org/ns/backend/sa/api"
            + "  \u2713  1");
    Cli.Result json = Cli.run("edges", "--state-dir", dir, "--output", "json");
    JsonNode edges = new ObjectMapper().readTree(json.out()).path("edges");
    assertThat(edges.get(0).path("secured").asText()).isEqualTo("\u2713");
  }

  @Test
  void tapWithSinceAndCountPrintsHistoryAndExits() throws Exception {
    Cli.Result r = Cli.run("tap", "--state-dir", dir, "--to", "api", "--since", "1h", "--count", "1", "--output", "json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode line = new ObjectMapper().readTree(r.out().lines().findFirst().orElseThrow());
    assertThat(line.path("src").asText()).isEqualTo("web");
    assertThat(line.path("port").asInt()).isEqualTo(8081);
  }

  @Test
  void badInputIsOneLineAndExitTwo() {
    Cli.Result none = Cli.run("edges", "--state-dir", dir.resolve("nowhere"));
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.errLines()).singleElement().asString().contains("no running mesh in").contains("trustmesh up");

    Cli.Result unknown = Cli.run("tap", "--state-dir", dir, "--to", "pay");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.errLines()).singleElement().asString()
        .contains("--to: no service named 'pay'").contains("services: api, web");

    Cli.Result count = Cli.run("tap", "--state-dir", dir, "--count", "0");
    assertThat(count.exitCode()).isEqualTo(2);
    assertThat(count.err()).contains("--count must be at least 1: 0");

    Cli.Result port = Cli.run("dashboard", "--state-dir", dir, "--port", "70000");
    assertThat(port.exitCode()).isEqualTo(2);
    assertThat(port.err()).contains("--port must be 0-65535: 70000");
  }

  @Test
  void helpTeachesWithExamples() {
    for (String cmd : new String[] {"edges", "tap", "dashboard"}) {
      Cli.Result r = Cli.run(cmd, "--help");
      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).contains("Examples:").contains("trustmesh " + cmd).contains("--state-dir");
    }
  }
}
