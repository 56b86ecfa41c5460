package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick-start mesh, as a newcomer runs it: {@code trustmesh up --detach} on
 * examples/quickstart/trustmesh.yaml (a copy on free ports), then real HTTP through the sidecars with
 * curl. Allowed calls go through over mTLS and the access logs name both SPIFFE IDs; the plaintext
 * legacy client is served only by the PERMISSIVE namespace; the intruder is denied with the reason;
 * the DISABLE metrics port answers plaintext; {@code status --output json} shows it all; {@code edges}
 * and {@code tap} show exactly those calls; {@code rotate --ca --svids} under load loses no request; a
 * second {@code up} is refused; another local user (uid 65534) reaches neither an app behind its
 * sidecar nor web's outbound listener; {@code down} leaves no process, socket, state or listening port.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuickstartMeshUpStatusDownIT {
  static final String TD = "spiffe://quickstart.trustmesh.local";
  static final String WEB = TD + "/ns/shop/sa/web";
  static final String API = TD + "/ns/legacy/sa/api";
  static final String PAYMENTS = TD + "/ns/payments/sa/payments";
  static final String INTRUDER = TD + "/ns/tools/sa/intruder";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static Path state;
  static Map<Integer, Integer> ports;
  static boolean stopped;

  @BeforeAll
  static void up() throws Exception {
    state = tmp.resolve("state");
    LocalMeshes.Up up = LocalMeshes.upQuickstartOnFreePorts(tmp, tmp.resolve("trustmesh.yaml"), state, 240);
    ports = up.ports();
    assertThat(up.exit()).as(up.output()).isZero();
    assertThat(up.output()).contains("is up (5 services").contains("stop with  trustmesh down");
  }

  @AfterAll
  static void down() throws Exception {
    if (!stopped && state != null) {
      try (Proc p = Proc.trustmesh(tmp, "down", "--state-dir", state)) {
        p.waitFor(180);
      }
    }
  }

  static int port(int quickstartPort) {
    return ports.get(quickstartPort);
  }

  /** The sidecar listeners of {@code service} in state.json that {@code which} selects. */
  static List<JsonNode> sidecars(String service, Predicate<JsonNode> which) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(Files.readString(state.resolve("state.json"))).path("services").forEach(svc -> {
      if (svc.path("name").asText().equals(service)) {
        svc.path("sidecars").forEach(sc -> {
          if (which.test(sc)) {
            out.add(sc);
          }
        });
      }
    });
    return out;
  }

  /** Where {@code service}'s app calls its (only) upstream: its outbound listener, {@code unix:/path} or {@code HOST:PORT}. */
  static String outboundOf(String service) throws IOException {
    JsonNode sc = sidecars(service, s -> s.path("kind").asText().equals("outbound")).get(0);
    return sc.has("listen") ? sc.path("listen").asText() : "127.0.0.1:" + sc.path("port").asInt();
  }

  static List<JsonNode> accessLog(String name) throws IOException {
    Path f = state.resolve("logs").resolve(name + ".jsonl");
    List<JsonNode> out = new ArrayList<>();
    if (!Files.exists(f)) {
      return out;
    }
    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  @Test
  @Order(1)
  void theWebsCallToTheApiGoesThroughItsSidecarOverMtlsAndBothLogsNameBothIdentities() throws Exception {
    LocalMeshes.Curl r = LocalMeshes.curlAt(List.of(), outboundOf("web"), "/orders");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body()).contains("\"service\":\"api\"").contains("\"charged\":true");

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(accessLog("api.inbound")).anySatisfy(e -> {
        assertThat(e.path("peer_spiffe_id").asText()).isEqualTo(WEB);
        assertThat(e.path("tls").asText()).isEqualTo("mtls");
        assertThat(e.path("result").asText()).isEqualTo("ok");
      });
      assertThat(accessLog("web.outbound")).anySatisfy(e -> {
        assertThat(e.path("peer_spiffe_id").asText()).isEqualTo(API);
        assertThat(e.path("tls").asText()).isEqualTo("mtls");
        assertThat(e.path("result").asText()).isEqualTo("ok");
      });
      assertThat(accessLog("payments.inbound")).anySatisfy(e -> {
        assertThat(e.path("peer_spiffe_id").asText()).isEqualTo(API);
        assertThat(e.path("listener").asText()).isEqualTo("inbound-" + port(8443));
        assertThat(e.path("result").asText()).isEqualTo("ok");
      });
    });
  }

  @Test
  @Order(2)
  void plaintextIsServedOnlyByThePermissiveNamespace() throws Exception {
    LocalMeshes.Curl api = LocalMeshes.curl("http://127.0.0.1:" + port(8081) + "/");
    assertThat(api.status()).as("api, namespace legacy (PERMISSIVE): " + api).isEqualTo(200);
    assertThat(api.body()).contains("\"service\":\"api\"");

    LocalMeshes.Curl payments = LocalMeshes.curl("http://127.0.0.1:" + port(8443) + "/charge");
    assertThat(payments.status()).as("payments:8443 (STRICT) in plaintext: " + payments).isZero();
    assertThat(payments.exit()).isNotZero();
    LocalMeshes.Curl web = LocalMeshes.curl("http://127.0.0.1:" + port(8080) + "/");
    assertThat(web.status()).as("web:8080 (STRICT) in plaintext: " + web).isZero();

    // The legacy client's own periodic calls (every 2 s). It starts beside the sidecars, as a pod's
    // containers do, so its first calls may be refused before api's sidecar listens: wait for one that
    // the sidecar served, in the client's log and in the sidecar's access log.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(Files.readString(state.resolve("logs/legacy-client.log"))).contains("200 {\"service\":\"api\"");
      assertThat(accessLog("api.inbound")).anySatisfy(e -> {
        assertThat(e.path("tls").asText()).isEqualTo("plaintext");
        assertThat(e.path("result").asText()).isEqualTo("ok");
      });
    });
  }

  @Test
  @Order(3)
  void theIntruderAuthenticatesButIsDeniedWithTheReason() throws Exception {
    LocalMeshes.Curl r = LocalMeshes.curlAt(List.of(), outboundOf("intruder"), "/charge");
    assertThat(r.status()).as(r.toString()).isZero();
    assertThat(r.body()).doesNotContain("charged");

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(accessLog("payments.inbound")).anySatisfy(e -> {
          assertThat(e.path("peer_spiffe_id").asText()).isEqualTo(INTRUDER);
          assertThat(e.path("result").asText()).isEqualTo("denied");
          assertThat(e.path("reason").asText()).isEqualTo("peer_not_allowed");
        }));
    assertThat(accessLog("payments.inbound")).noneSatisfy(e -> {
      assertThat(e.path("peer_spiffe_id").asText()).isEqualTo(INTRUDER);
      assertThat(e.path("result").asText()).isEqualTo("ok");
    });
  }

  @Test
  @Order(4)
  void theDisableMetricsPortAnswersPlaintext() throws Exception {
    LocalMeshes.Curl r = LocalMeshes.curl("http://127.0.0.1:" + port(9090) + "/metrics");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body()).contains("payments_requests_total");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(accessLog("payments.inbound")).anySatisfy(e -> {
          assertThat(e.path("listener").asText()).isEqualTo("inbound-" + port(9090));
          assertThat(e.path("tls").asText()).isEqualTo("plaintext");
          assertThat(e.path("result").asText()).isEqualTo("ok");
        }));
  }

  @Test
  @Order(5)
  void statusAsJsonShowsTheRunningMeshItsModesAndItsTraffic() throws Exception {
    JsonNode s;
    try (Proc p = Proc.trustmesh(tmp, "status", "--state-dir", state, "--output", "json")) {
      int code = p.waitFor(120);
      assertThat(code).as(p.output()).isZero();
      s = JSON.readTree(p.output());
    }
    assertThat(s.path("running").asBoolean()).isTrue();
    assertThat(s.path("healthy").asBoolean()).isTrue();
    assertThat(s.path("trust_domain").asText()).isEqualTo("quickstart.trustmesh.local");
    Map<String, JsonNode> byName = new HashMap<>();
    s.path("services").forEach(n -> byName.put(n.path("name").asText(), n));
    assertThat(byName.keySet()).containsExactlyInAnyOrder("web", "api", "payments", "legacy-client", "intruder");
    assertThat(byName.get("payments").path("spiffe_id").asText()).isEqualTo(PAYMENTS);
    assertThat(byName.get("payments").path("svid_seconds_left").asLong()).isPositive();
    List<String> paymentModes = new ArrayList<>();
    byName.get("payments").path("sidecars").forEach(sc -> paymentModes.add(sc.path("port").asInt() + " "
        + sc.path("mode").asText()));
    assertThat(paymentModes).containsExactly(port(8443) + " STRICT", port(9090) + " DISABLE");
    assertThat(byName.get("api").path("sidecars").get(0).path("mode").asText()).isEqualTo("PERMISSIVE");
    assertThat(byName.get("api").path("connections").path("plaintext").asLong()).isPositive();
    assertThat(byName.get("api").path("connections").path("mtls").asLong()).isPositive();
    assertThat(byName.get("payments").path("connections").path("denied").asLong()).isPositive();
    assertThat(byName.get("legacy-client").has("spiffe_id")).as("no sidecar, no identity").isFalse();
  }

  @Test
  @Order(6)
  void edgesAndTapShowExactlyTheCallsThatWereMade() throws Exception {
    Set<String> edges = new TreeSet<>();
    try (Proc p = Proc.trustmesh(tmp, "edges", "--state-dir", state, "--output", "json")) {
      int code = p.waitFor(120);
      assertThat(code).as(p.output()).isZero();
      JSON.readTree(p.output()).path("edges").forEach(e -> edges.add(e.path("src").asText() + " -> "
          + e.path("dst").asText() + " " + e.path("category").asText()));
    }
    assertThat(edges).as("the built-in services' calls and this test's curls, nothing else").containsExactlyInAnyOrder(
        "web -> api mtls",
        "api -> payments mtls",
        "intruder -> payments denied",
        "127.0.0.1 -> api plaintext",              // the legacy client, PERMISSIVE namespace
        "127.0.0.1 -> payments plaintext",         // the DISABLE metrics port
        "127.0.0.1 -> payments handshake_failure", // plaintext refused by the STRICT 8443
        "127.0.0.1 -> web handshake_failure");     // plaintext refused by the STRICT 8080

    try (Proc p = Proc.trustmesh(tmp, "tap", "--state-dir", state, "--since", "1h", "--to", "payments", "--from",
        "intruder", "--count", "1", "--output", "json")) {
      int code = p.waitFor(120);
      assertThat(code).as(p.output()).isZero();
      JsonNode line = JSON.readTree(p.output().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
      assertThat(line.path("client_id").asText()).isEqualTo(INTRUDER);
      assertThat(line.path("server_id").asText()).isEqualTo(PAYMENTS);
      assertThat(line.path("result").asText()).isEqualTo("denied");
      assertThat(line.path("reason").asText()).isEqualTo("peer_not_allowed");
    }
  }

  @Test
  @Order(7)
  void aForcedRotationOfTheCaAndEverySvidUnderLoadLosesNoRequest() throws Exception {
    String web = outboundOf("web");
    AtomicBoolean loading = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Thread load = new Thread(() -> {
      while (loading.get()) {
        try {
          // web's outbound sidecar -> api's inbound -> api -> api's outbound -> payments' inbound: two mTLS hops
          LocalMeshes.Curl r = LocalMeshes.curlAt(List.of(), web, "/orders");
          if (r.status() == 200) {
            ok.incrementAndGet();
          } else {
            failures.add(r.toString());
          }
        } catch (Exception e) {
          failures.add(e.toString());
        }
      }
    }, "load");
    load.start();
    JsonNode report;
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= 3);
      try (Proc p = Proc.trustmesh(tmp, "rotate", "--ca", "--svids", "--wait", "--timeout", "3m",
          "--state-dir", state, "--output", "json")) {
        int code = p.waitFor(240);
        assertThat(code).as(p.output()).isZero();
        report = JSON.readTree(p.output().substring(p.output().indexOf('{')));
      }
      int after = ok.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= after + 3); // still served on the new identities
    } finally {
      loading.set(false);
      load.join(60_000);
    }
    assertThat(failures).as("requests that failed during the rotation").isEmpty();
    assertThat(report.path("complete").asBoolean()).as(report.toString()).isTrue();
    assertThat(report.path("connections").path("failed").asLong()).as(report.toString()).isZero();
    assertThat(report.path("ca").path("new").path("serial").asText())
        .isNotEqualTo(report.path("ca").path("old").path("serial").asText());
    assertThat(report.path("svids").path("reissued").asLong()).isEqualTo(report.path("svids").path("expected").asLong())
        .isPositive();
  }

  @Test
  @Order(8)
  void aSecondUpOnTheRunningMeshIsRefusedAndStartsNothing() throws Exception {
    long before = LocalMeshes.processesMentioning(List.of(state.toString())).size();
    try (Proc p = Proc.trustmesh(tmp, "up", tmp.resolve("trustmesh.yaml"), "--state-dir", state, "--detach")) {
      int code = p.waitFor(120);
      assertThat(code).as(p.output()).isEqualTo(2);
      assertThat(p.output()).contains("a mesh is already running in " + state).doesNotContain("Exception");
    }
    assertThat(LocalMeshes.processesMentioning(List.of(state.toString()))).hasSize((int) before);
    assertThat(LocalMeshes.curl("http://127.0.0.1:" + port(8081) + "/").status()).as("the mesh still serves")
        .isEqualTo(200);
  }

  /**
   * The hole found in review, attacked as it was found: another local user calls api's and payments'
   * apps directly (no mTLS, no allow list) and web's outbound listener (which calls api AS web), at
   * the addresses state.json names and at the quick-start's old loopback ports. Everything is refused;
   * the owner's path through the sidecars still works. The DISABLE metrics port is plaintext on
   * purpose and not attacked here.
   */
  @Test
  @Order(9)
  void anotherLocalUserReachesNoAppBehindItsSidecarAndCannotBorrowWebsIdentity() throws Exception {
    boolean root = ProcessHandle.current().info().user().map("root"::equals).orElse(false);
    if (!root && System.getenv("CI") != null) {
      fail("this test acts as uid 65534 and must run as root in CI");
    }
    assumeTrue(root, "acting as another uid needs root");
    List<String> nobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--");
    Map<String, String> attacks = new java.util.LinkedHashMap<>();
    for (String service : List.of("api", "payments")) {
      for (JsonNode sc : sidecars(service, s -> s.path("kind").asText().equals("inbound")
          && !s.path("mode").asText().equals("DISABLE"))) {
        attacks.put(service + " app " + sc.path("target").asText(), sc.path("target").asText());
      }
    }
    attacks.put("web's outbound listener " + outboundOf("web"), outboundOf("web") + "|/orders");
    attacks.put("api app, old port", "127.0.0.1:" + port(18081));
    attacks.put("payments app, old port", "127.0.0.1:" + port(18443) + "|/charge");
    attacks.put("web's outbound, old port", "127.0.0.1:" + port(15001) + "|/orders");
    assertThat(attacks).hasSizeGreaterThanOrEqualTo(6);
    for (Map.Entry<String, String> a : attacks.entrySet()) {
      String[] at = a.getValue().split("\\|");
      LocalMeshes.Curl r = LocalMeshes.curlAt(nobody, at[0], at.length > 1 ? at[1] : "/");
      assertThat(r.status()).as("uid 65534 -> %s: %s", a.getKey(), r).isZero();
      assertThat(r.exit()).as("uid 65534 -> %s: %s", a.getKey(), r).isEqualTo(7); // could not connect
    }
    LocalMeshes.Curl owner = LocalMeshes.curlAt(List.of(), outboundOf("web"), "/orders");
    assertThat(owner.status()).as("the owner, through web's sidecars: " + owner).isEqualTo(200);
    assertThat(owner.body()).contains("\"charged\":true");
  }

  @Test
  @Order(10)
  void downLeavesNoProcessSocketStateOrListeningPort() throws Exception {
    JsonNode st = JSON.readTree(Files.readString(state.resolve("state.json")));
    List<Integer> listening = new ArrayList<>(ports.values());
    listening.add(Integer.parseInt(st.path("server").path("address").asText().replaceAll(".*:", "")));
    List<String> needles = new ArrayList<>(List.of(state.toString()));
    st.path("services").forEach(svc -> {
      svc.path("sidecars").forEach(sc -> listening.add(Integer.parseInt(sc.path("admin").asText().replaceAll(".*:", ""))));
      if (svc.has("process")) {
        // the apps on sockets name the state directory in their command lines; the legacy client its target
        needles.add(svc.path("name").asText().equals("legacy-client") ? "127.0.0.1:" + port(8081)
            : state.resolve("run").resolve(svc.path("name").asText()).toString());
      }
    });
    assertThat(LocalMeshes.processesMentioning(needles)).as("the mesh runs before down").isNotEmpty();

    try (Proc p = Proc.trustmesh(tmp, "down", "--state-dir", state)) {
      int code = p.waitFor(180);
      assertThat(code).as(p.output()).isZero();
      assertThat(p.output()).contains("is stopped");
    }
    stopped = true;

    assertThat(LocalMeshes.processesMentioning(needles)).as("processes left").isEmpty();
    assertThat(state.resolve("state.json")).doesNotExist();
    assertThat(state.resolve("run")).as("sockets").doesNotExist();
    assertThat(state.resolve("server")).as("keys and SQLite").doesNotExist();
    for (int p : listening) {
      assertThat(LocalMeshes.refused(p)).as("port %d still accepts", p).isTrue();
    }
    try (Proc again = Proc.trustmesh(tmp, "down", "--state-dir", state)) {
      assertThat(again.waitFor(120)).as(again.output()).isZero();
      assertThat(again.output()).contains("no mesh is running");
    }
    try (Proc status = Proc.trustmesh(tmp, "status", "--state-dir", state)) {
      assertThat(status.waitFor(120)).as(status.output()).isEqualTo(1);
    }
  }
}
