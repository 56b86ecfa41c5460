package io.trustmesh.mesh.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustmesh.mesh.fixture.RunningMesh;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edges} and {@code tap} over the access logs of real sidecars: the quick-start mesh with
 * an allowed mTLS call of each hop, a plaintext legacy client on the PERMISSIVE namespace, a scrape
 * of the DISABLE metrics port, an intruder denied by policy and a stranger whose CA nobody trusts.
 * The edge counts are those of the calls made in {@code @BeforeAll}: the one test that makes new
 * calls runs last, whatever JUnit's default order of the day.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgesAndTapOverRealSidecarsTest {
  @TempDir static Path dir;
  static RunningMesh mesh;
  static MeshView state;

  @BeforeAll
  static void trafficOfEveryKind() throws Exception {
    mesh = RunningMesh.start(dir);
    state = MeshView.read(dir);
    assertThat(mesh.webCallsApi()).contains("api ok");
    assertThat(mesh.apiCallsPayments()).contains("payments ok");
    assertThat(mesh.legacyClientCallsApi()).contains("api ok");
    assertThat(mesh.scrapeMetrics()).contains("payments-metrics ok");
    assertThat(mesh.intruderCallsPayments()).doesNotContain("payments ok");
    mesh.foreignClientCallsPayments();
    // the sidecars write a line when a connection ends, a moment after the client saw it end
    await().atMost(Duration.ofSeconds(20)).until(() -> Edges.of(state).size() >= 6);
  }

  @AfterAll
  static void stop() {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  @Order(1)
  void edgesNameBothEndsAndSayWhetherEachWasSecuredOrWhyNot() {
    StringWriter out = new StringWriter();
    EdgesReport.text(Edges.of(state), new PrintWriter(out, true));
    List<String> lines = out.toString().lines().map(l -> l.replaceAll(" {2,}", "  ").trim()).toList();

    assertThat(lines.get(0)).isEqualTo("SRC  DST  SRC_NS  DST_NS  CLIENT_ID  SERVER_ID  SECURED  CONNECTIONS");
    assertThat(lines).contains(
        "web  api  shop  legacy  " + RunningMesh.WEB + "  " + RunningMesh.API + "  \u2713  1",
        "api  payments  legacy  payments  " + RunningMesh.API + "  " + RunningMesh.PAYMENTS + "  \u2713  1",
        "127.0.0.1  api  -  legacy  -  " + RunningMesh.API + "  plaintext  1",
        "127.0.0.1  payments  -  payments  -  " + RunningMesh.PAYMENTS + "  plaintext  1",
        "intruder  payments  tools  payments  " + RunningMesh.INTRUDER + "  " + RunningMesh.PAYMENTS
            + "  denied (peer_not_allowed)  1");
    assertThat(lines).anySatisfy(l -> assertThat(l)
        .startsWith("127.0.0.1  payments  -  payments  -  " + RunningMesh.PAYMENTS + "  handshake failure (")
        .endsWith(")  1"));
    assertThat(lines).hasSize(7); // the header and six edges: no connection counted twice
  }

  @Test
  @Order(2)
  void edgesAsJsonCarryTheSameRowsForMachines() throws Exception {
    StringWriter out = new StringWriter();
    EdgesReport.json(Edges.of(state), new PrintWriter(out, true));
    JsonNode edges = new ObjectMapper().readTree(out.toString()).path("edges");
    assertThat(edges).hasSize(6);
    assertThat(edges).anySatisfy(e -> {
      assertThat(e.path("src").asText()).isEqualTo("intruder");
      assertThat(e.path("dst").asText()).isEqualTo("payments");
      assertThat(e.path("category").asText()).isEqualTo("denied");
      assertThat(e.path("secured").asText()).isEqualTo("denied (peer_not_allowed)");
      assertThat(e.path("client_id").asText()).isEqualTo(RunningMesh.INTRUDER.toString());
    });
  }

  @Test
  @Order(5)
  void tapPrintsEachNewConnectionToTheServiceItFollowsAndStopsAfterCount() throws Exception {
    Tap tap = Tap.open(dir, new Tap.Options(Optional.of("payments"), Optional.empty(), Optional.empty(),
        OptionalLong.of(2)), Clock.systemUTC());
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<Long> done = CompletableFuture.supplyAsync(() -> tap.follow(c -> lines.add(TapReport.line(c))));
    try {
      // only connections made after the start count (tail -f): the ones above are history.
      // Calls are repeated until the tap, which looks at the files a few times a second, has begun.
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        mesh.intruderCallsPayments();
        return done.isDone();
      });
      assertThat(done.get(5, TimeUnit.SECONDS)).isEqualTo(2);
    } finally {
      tap.stop();
    }
    // the intruder's call is seen by its own outbound sidecar and by payments' inbound sidecar
    assertThat(lines).allSatisfy(l -> assertThat(l).contains(" intruder -> payments ")
        .contains("client=" + RunningMesh.INTRUDER).contains("server=" + RunningMesh.PAYMENTS));
    assertThat(lines).anySatisfy(l -> assertThat(l)
        .contains("tls=mtls result=denied reason=peer_not_allowed")
        .contains("seen_by=\"payments inbound\""));
  }

  @Test
  @Order(3)
  void tapJsonIsOneObjectPerLineFromHistoryWithSince() throws Exception {
    Tap tap = Tap.open(dir, new Tap.Options(Optional.empty(), Optional.of("web"), Optional.of(Duration.ofHours(1)),
        OptionalLong.of(1)), Clock.systemUTC());
    List<String> lines = new CopyOnWriteArrayList<>();
    long n = CompletableFuture.supplyAsync(() -> tap.follow(c -> lines.add(TapReport.json(c))))
        .get(20, TimeUnit.SECONDS);
    assertThat(n).isEqualTo(1);
    JsonNode c = new ObjectMapper().readTree(lines.get(0));
    assertThat(c.path("src").asText()).isEqualTo("web");
    assertThat(c.path("dst").asText()).isEqualTo("api");
    assertThat(c.path("tls").asText()).isEqualTo("mtls");
    assertThat(c.path("result").asText()).isEqualTo("ok");
    assertThat(c.path("bytes_to_client").asLong()).isPositive();
    assertThat(c.path("server_id").asText()).isEqualTo(RunningMesh.API.toString());
  }

  @Test
  @Order(4)
  void tapFromAnAddressFollowsACallerOutsideTheMesh() throws Exception {
    Tap tap = Tap.open(dir, new Tap.Options(Optional.of("api"), Optional.of("127.0.0.1"),
        Optional.of(Duration.ofHours(1)), OptionalLong.of(1)), Clock.systemUTC());
    List<String> lines = new CopyOnWriteArrayList<>();
    long n = CompletableFuture.supplyAsync(() -> tap.follow(c -> lines.add(TapReport.line(c))))
        .get(20, TimeUnit.SECONDS);
    assertThat(n).isEqualTo(1);
    assertThat(lines.get(0)).contains(" 127.0.0.1 -> api port=8081 tls=plaintext result=ok ")
        .contains("client=- server=" + RunningMesh.API);
  }
}
