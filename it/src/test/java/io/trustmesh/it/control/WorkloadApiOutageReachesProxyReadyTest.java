package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 15: a Workload API stream error used to be logged at debug level only; the sidecar's
 * {@code /ready} and reload metrics said nothing while its agent was gone. Now a real
 * {@code trustmesh proxy inbound --workload-api} process reports the broken stream as a failed
 * reload ({@code /ready} names it, {@code trustmesh_proxy_reloads_total{result="failed"}} counts it)
 * while it keeps serving the last good SVID, and clears it when the agent is back.
 */
class WorkloadApiOutageReachesProxyReadyTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  static final Pattern ADMIN = Pattern.compile("admin +http://127\\.0\\.0\\.1:(\\d+)/");
  static final Pattern FAILED = Pattern.compile("trustmesh_proxy_reloads_total\\{result=\"failed\"[^}]*} (\\S+)");
  final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void aBrokenStreamIsAFailedReloadUntilTheAgentIsBack() throws Exception {
    Process proxy = null;
    StringBuffer out = new StringBuffer();
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ofMinutes(10), "unix:uid:" + UID);
      AgentConfig config = cp.agentConfig("agent", Optional.of(cp.joinToken(ControlPlane.AGENT_ID)));
      TrustmeshAgent agent = cp.startAgent(config);
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());

      proxy = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
          System.getProperty("trustmesh.jar"), "proxy", "inbound", "--listen", "127.0.0.1:0", "--target",
          "127.0.0.1:9", "--workload-api", "unix://" + agent.socketPath(), "--allow-id", "spiffe://example.org/x",
          "--admin", "127.0.0.1:0")).redirectErrorStream(true).start();
      read(proxy.getInputStream(), out);
      await().atMost(Duration.ofSeconds(60)).until(() -> ADMIN.matcher(out).find() || !isAlive(out));
      Matcher m = ADMIN.matcher(out);
      assertThat(m.find()).as(out.toString()).isTrue();
      int admin = Integer.parseInt(m.group(1));
      JsonNode before = ready(admin);
      assertThat(before.get("ready").asBoolean()).isTrue();
      assertThat(before.has("last_reload_failure")).isFalse();

      agent.close();

      await().atMost(Duration.ofSeconds(30)).until(() -> ready(admin).has("last_reload_failure"));
      JsonNode during = ready(admin);
      // the agent's shutdown either cancels the stream (RST_STREAM) or drops the connection: both are an outage
      assertThat(during.get("last_reload_failure").asText()).matches("Workload API stream ended: (UNAVAILABLE|CANCELLED)\\b.*");
      assertThat(during.get("ready").asBoolean()).as("the last good SVID is still valid and served").isTrue();
      assertThat(failedReloads(admin)).isGreaterThanOrEqualTo(1.0);

      cp.startAgent(config); // resumes from its cache on the same socket
      await().atMost(Duration.ofSeconds(60)).until(() -> !ready(admin).has("last_reload_failure"));
    } finally {
      if (proxy != null) {
        proxy.destroy();
        if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
          proxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static boolean isAlive(CharSequence out) {
    return !out.toString().contains("trustmesh: ");
  }

  private JsonNode ready(int port) throws Exception {
    return new ObjectMapper().readTree(get(port, "/ready"));
  }

  private double failedReloads(int port) throws Exception {
    Matcher m = FAILED.matcher(get(port, "/metrics"));
    assertThat(m.find()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private String get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static void read(InputStream in, StringBuffer out) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
      } catch (IOException ignored) {
        // process ended
      }
    });
    t.setDaemon(true);
    t.start();
  }
}
