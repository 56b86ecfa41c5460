package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.api.workload.WorkloadApiX509Source;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trustmesh proxy inbound --workload-api}: a real proxy process takes its identity from our
 * agent's Workload API, serves curl (whose client identity comes from a second agent), and follows
 * the agent's rotations without a restart.
 */
class ProxyTakesIdentityFromAgentTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  static final String BACKEND = "spiffe://example.org/backend";
  static final String FRONTEND = "spiffe://example.org/frontend";
  static final String AGENT_2 = "spiffe://example.org/agent/node-2";
  static final Pattern INBOUND = Pattern.compile("inbound +inbound +127\\.0\\.0\\.1:(\\d+) ->");
  static final Pattern ADMIN = Pattern.compile("admin +http://127\\.0\\.0\\.1:(\\d+)/");

  @TempDir Path dir;

  @Test
  void proxyPresentsTheAgentsSvidAndFollowsItsRotations() throws Exception {
    HttpServer backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    backend.createContext("/", exchange -> {
      byte[] body = "hello from backend\n".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(body);
      }
    });
    backend.start();
    Process proxy = null;
    StringBuffer proxyOut = new StringBuffer();
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      // The proxy (this uid, via agent 1) is the backend; curl's identity comes from agent 2.
      try (var admin = cp.admin()) {
        admin.createEntry(Entry.newBuilder().setSpiffeId(BACKEND).setParentId(ControlPlane.AGENT_ID)
            .addSelectors("unix:uid:" + UID).setTtlSeconds(6).addDnsNames("localhost").build());
      }
      cp.entry(FRONTEND, AGENT_2, Duration.ofMinutes(10), "unix:uid:" + UID);
      TrustmeshAgent agent1 = cp.startAgent(cp.agentConfig("agent1", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      TrustmeshAgent agent2 = cp.startAgent(cp.agentConfig("agent2", Optional.of(cp.joinToken(AGENT_2))));
      await().atMost(Duration.ofSeconds(20)).until(() ->
          !agent1.snapshot().svids().isEmpty() && !agent2.snapshot().svids().isEmpty());

      Path client = dir.resolve("client");
      try (WorkloadApiX509Source src = WorkloadApiX509Source.connect("unix://" + agent2.socketPath(),
          Duration.ofSeconds(10))) {
        assertThat(src.svid().spiffeId().toString()).isEqualTo(FRONTEND);
        src.svid().write(client, src.bundles().bundles().stream().flatMap(b -> b.authorities().stream()).toList());
      }

      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", System.getProperty("trustmesh.jar"),
          "proxy", "inbound", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:" + backend.getAddress().getPort(),
          "--workload-api", "unix://" + agent1.socketPath(), "--allow-id", FRONTEND, "--admin", "127.0.0.1:0"));
      proxy = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      InputStream in = proxy.getInputStream();
      Thread reader = new Thread(() -> {
        byte[] buf = new byte[4096];
        try {
          for (int n; (n = in.read(buf)) > 0; ) {
            proxyOut.append(new String(buf, 0, n, StandardCharsets.UTF_8));
          }
        } catch (IOException ignored) {
          // process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> INBOUND.matcher(proxyOut).find() && ADMIN.matcher(proxyOut).find());
      assertThat(proxyOut.toString()).contains("identity  " + BACKEND);
      int port = group(INBOUND, proxyOut);
      int adminPort = group(ADMIN, proxyOut);

      String first = svidSerial(adminPort);
      assertThat(curl(client, port)).isEqualTo("hello from backend\n");

      // The agent renews the 6s SVID at half-life and pushes it; the proxy swaps it in.
      await().atMost(Duration.ofSeconds(30)).until(() -> !svidSerial(adminPort).equals(first));
      assertThat(curl(client, port)).isEqualTo("hello from backend\n");
      assertThat(proxy.isAlive()).isTrue();
    } finally {
      if (proxy != null) {
        proxy.destroy();
        if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
          proxy.destroyForcibly();
        }
      }
      backend.stop(0);
    }
  }

  private static int group(Pattern p, CharSequence text) {
    Matcher m = p.matcher(text);
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static String svidSerial(int adminPort) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var response = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/certs"))
        .timeout(Duration.ofSeconds(20)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    JsonNode n = new ObjectMapper().readTree(response.body());
    assertThat(n.get("svid").get("spiffe_id").asText()).isEqualTo(BACKEND);
    return n.get("svid").get("serial").asText();
  }

  private static String curl(Path client, int port) throws Exception {
    Process p = new ProcessBuilder("curl", "-sS", "--max-time", "10", "--resolve", "localhost:" + port + ":127.0.0.1",
        "--cacert", client.resolve("svid_bundle.pem").toString(), "--cert", client.resolve("svid.pem").toString(),
        "--key", client.resolve("svid_key.pem").toString(), "https://localhost:" + port + "/")
        .redirectErrorStream(true).start();
    try {
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
  }

}
