package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.RotationStatus;
import io.trustmesh.api.admin.proto.SigningCa;
import io.trustmesh.core.io.FileOwnership;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.x509.Serials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trustmesh rotate --ca --svids --wait} while requests flow through two sidecars (an outbound
 * one presenting web's SVID, an inbound STRICT one presenting api's and allowing only web), each on
 * the Workload API of its own node's agent with {@code --spiffe-id}, web's node syncing more slowly:
 * not one request fails (the new CA signs only once its bundle had time to reach both nodes), both sidecars then serve
 * SVIDs with new serials signed by the new CA, the command says so (and counts zero failed sidecar
 * connections), and the old CA leaves the bundle once every SVID it signed has expired.
 *
 * <p>The server and agent run in this JVM on a clock the test can move forward (to retire the old
 * CA without waiting a day); the sidecars, the rotate command and the HTTP traffic are real processes
 * and sockets.
 */
class ForcedRotationUnderLoadTest {
  static final int UID = FileOwnership.currentUid();
  static final String WEB = "spiffe://example.org/web";
  static final String API = "spiffe://example.org/api";
  static final String AGENT_2 = "spiffe://example.org/agent/node-2";
  static final Duration SLOW_SYNC = Duration.ofMillis(1500);
  /**
   * Longer than the slow node's sync interval, as docs/rotation.md asks, by a margin that holds on a
   * busy machine: this test saturates the CPU with handshakes, and a sync delayed past the activation
   * would fail a request for a reason that is not the one under test.
   */
  static final String PROPAGATION = "6s";
  static final Pattern ADMIN = Pattern.compile("admin +http://127\\.0\\.0\\.1:(\\d+)/");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** Real time plus an offset the test moves forward. */
  static final class MovableClock extends Clock {
    volatile Duration offset = Duration.ZERO;

    @Override
    public Instant instant() {
      return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void noRequestFailsAndTheSidecarsServeSvidsFromTheNewCa() throws Exception {
    MovableClock clock = new MovableClock();
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    backend.createContext("/", ex -> {
      byte[] body = "hello from api\n".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
    });
    backend.start();
    AtomicBoolean loading = new AtomicBoolean(true);
    Thread load = null;
    try (ControlPlane cp = new ControlPlane(dir).clock(clock)) {
      cp.startServer();
      cp.entry(API, ControlPlane.AGENT_ID, Duration.ofMinutes(10), "unix:uid:" + UID);
      cp.entry(WEB, AGENT_2, Duration.ofMinutes(10), "unix:uid:" + UID);
      TrustmeshAgent apiNode = cp.startAgent(cp.agentConfig("agent1", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      // The web node syncs more slowly: if the new CA signed before its bundle reached this node, the
      // api sidecar would present a leaf the web sidecar cannot verify yet.
      AgentConfig slow = cp.agentConfig("agent2", Optional.of(cp.joinToken(AGENT_2)));
      slow.syncInterval = SLOW_SYNC;
      TrustmeshAgent webNode = cp.startAgent(slow);
      await().atMost(Duration.ofSeconds(20)).until(() ->
          !apiNode.snapshot().svids().isEmpty() && !webNode.snapshot().svids().isEmpty());

      try (SidecarProcess inbound = SidecarProcess.start("inbound", "--listen", "127.0.0.1:0",
              "--target", "127.0.0.1:" + backend.getAddress().getPort(), "--mode", "strict",
              "--workload-api", "unix://" + apiNode.socketPath(), "--spiffe-id", API, "--allow-id", WEB, "--admin", "127.0.0.1:0")) {
        int inboundPort = inbound.port();
        try (SidecarProcess outbound = SidecarProcess.start("outbound", "--listen", "127.0.0.1:0",
            "--target", "127.0.0.1:" + inboundPort, "--workload-api", "unix://" + webNode.socketPath(), "--spiffe-id", WEB,
            "--expect-id", API, "--admin", "127.0.0.1:0")) {
          int outboundPort = outbound.port();
          int inboundAdmin = adminPort(inbound);
          int outboundAdmin = adminPort(outbound);
          JsonNode inboundBefore = certs(inboundAdmin).path("svid");
          JsonNode outboundBefore = certs(outboundAdmin).path("svid");
          String oldCa;
          try (AdminClient admin = cp.admin()) {
            oldCa = active(admin.rotationStatus()).getId();
          }
          Path state = meshState(cp, inboundAdmin, outboundAdmin);

          // Every request a new connection, so every one is a fresh mTLS handshake through both sidecars.
          AtomicInteger ok = new AtomicInteger();
          ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
          load = new Thread(() -> {
            while (loading.get()) {
              try {
                String r = get(outboundPort);
                if (r.startsWith("HTTP/1.1 200") && r.endsWith("hello from api\n")) {
                  ok.incrementAndGet();
                } else {
                  failures.add(r.isEmpty() ? "(connection closed without a response)" : r);
                }
              } catch (IOException e) {
                failures.add(e.toString());
              }
            }
          }, "load");
          load.start();
          await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= 20 || !failures.isEmpty());
          assertThat(failures).as("before the rotation").isEmpty();

          Process rotate = new ProcessBuilder(java(), "-jar", System.getProperty("trustmesh.jar"), "rotate",
              "--ca", "--svids", "--wait", "--state-dir", state.toString(), "--propagation", PROPAGATION,
              "--timeout", "90s", "--output", "json").redirectErrorStream(false).start();
          String out;
          String err;
          try {
            rotate.getOutputStream().close();
            out = new String(rotate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            err = new String(rotate.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rotate.waitFor(120, TimeUnit.SECONDS)).isTrue();
          } finally {
            rotate.destroyForcibly();
          }
          assertThat(rotate.exitValue()).as(out + err).isZero();
          int atRotationEnd = ok.get();
          await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= atRotationEnd + 20 || !failures.isEmpty());
          loading.set(false);
          load.join(10_000);
          assertThat(failures).as("requests that failed during the rotation").isEmpty();

          JsonNode report = JSON.readTree(out);
          String newCa = report.path("ca").path("new").path("id").asText();
          assertThat(report.path("ca").path("old").path("id").asText()).isEqualTo(oldCa);
          assertThat(newCa).isNotEqualTo(oldCa).isNotEmpty();
          assertThat(report.path("ca").path("publication").asText()).isEqualTo("anchors");
          assertThat(report.path("ca").path("new").path("state").asText()).isEqualTo("active");
          assertThat(report.path("ca").path("old").path("state").asText()).isEqualTo("retiring");
          assertThat(report.path("complete").asBoolean()).isTrue();
          assertThat(report.path("svids").path("expected").asInt()).as("web, api and each agent's own").isEqualTo(4);
          assertThat(report.path("svids").path("reissued").asInt()).isEqualTo(4);
          assertThat(report.path("svids").path("sidecars_serving_reissued").asInt()).isEqualTo(2);
          assertThat(report.path("connections").path("failed").asLong()).isZero();
          assertThat(report.path("connections").path("total").asLong()).isPositive();
          assertThat(JSON.readTree(Files.readString(state.resolve("rotation.json"))).path("ca").path("new").path("id")
              .asText()).as("left for status and the dashboard").isEqualTo(newCa);

          X509Certificate newCaCert;
          try (AdminClient admin = cp.admin()) {
            SigningCa active = active(admin.rotationStatus());
            assertThat(active.getId()).isEqualTo(newCa);
            newCaCert = cp.server.authority().bundle().stream()
                .filter(c -> Serials.hex(c.getSerialNumber()).equals(active.getSerial())).findFirst().orElseThrow();
          }
          for (int port : new int[] {inboundAdmin, outboundAdmin}) {
            JsonNode now = certs(port).path("svid");
            JsonNode before = port == inboundAdmin ? inboundBefore : outboundBefore;
            assertThat(now.path("serial").asText()).as("a re-issued SVID").isNotEqualTo(before.path("serial").asText());
            assertThat(now.path("spiffe_id").asText()).isEqualTo(before.path("spiffe_id").asText());
            // /certs names no issuer: find the SVID with that serial among those the agent handed out.
            BigInteger serial = new BigInteger(now.path("serial").asText(), 16);
            TrustmeshAgent node = port == inboundAdmin ? apiNode : webNode;
            X509Certificate leaf = node.snapshot().svids().values().stream().map(X509Svid::leaf)
                .filter(c -> c.getSerialNumber().equals(serial)).findFirst().orElseThrow();
            assertThat(leaf.getIssuerX500Principal()).as("chains to the new signing CA")
                .isEqualTo(newCaCert.getSubjectX500Principal());
            leaf.verify(newCaCert.getPublicKey());
          }

          // The old CA leaves the bundle once every SVID it signed may have expired: move time there.
          Instant retiresAt = Instant.parse(report.path("ca").path("old").path("retires_at").asText());
          clock.offset = Duration.between(Instant.now(), retiresAt).plusSeconds(5);
          try (AdminClient admin = cp.admin()) {
            await().atMost(Duration.ofSeconds(20)).until(() ->
                admin.rotationStatus().getCasList().stream().noneMatch(c -> c.getId().equals(oldCa)));
            List<X509Certificate> bundle = bundleOf(admin.bundle().getBundle().getX509AuthoritiesList());
            assertThat(bundle).as("only the new CA is trusted now").containsExactly(newCaCert);
          }
        }
      }
    } finally {
      loading.set(false);
      if (load != null) {
        load.join(10_000);
      }
      backend.stop(0);
    }
  }

  private static SigningCa active(RotationStatus s) {
    return s.getCasList().stream().filter(c -> c.getState().equals("active")).findFirst().orElseThrow();
  }

  private static List<X509Certificate> bundleOf(List<ByteString> der) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    for (ByteString d : der) {
      out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(d.toByteArray())));
    }
    return out;
  }

  /** The mesh's state.json, as 'trustmesh up' writes it (the fields rotate reads). */
  private Path meshState(ControlPlane cp, int inboundAdmin, int outboundAdmin) throws IOException {
    Path state = Files.createDirectory(dir.resolve("state"));
    String json = """
        {"version": 1, "trust_domain": "example.org",
         "server": {"admin_socket": "%s"},
         "services": [
           {"name": "api", "namespace": "default", "spiffe_id": "%s",
            "sidecars": [{"kind": "inbound", "admin": "127.0.0.1:%d"}]},
           {"name": "web", "namespace": "default", "spiffe_id": "%s",
            "sidecars": [{"kind": "outbound", "admin": "127.0.0.1:%d"}]}]}
        """.formatted(cp.serverConfig.adminSocket, API, inboundAdmin, WEB, outboundAdmin);
    Files.writeString(state.resolve("state.json"), json);
    return state;
  }

  /** One HTTP/1.1 request on a new connection through the outbound sidecar. */
  private static String get(int port) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static int adminPort(SidecarProcess p) {
    await().atMost(Duration.ofSeconds(30)).until(() -> ADMIN.matcher(p.output()).find());
    Matcher m = ADMIN.matcher(p.output());
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static JsonNode certs(int adminPort) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + adminPort + "/certs")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
