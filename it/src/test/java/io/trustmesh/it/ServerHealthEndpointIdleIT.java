package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 11, on the server: its /healthz, /ready and /metrics endpoint must not keep a
 * connection that never sends a request (the sidecar's admin port was starved that way). A real
 * server process; connections are opened and left silent, and each must be closed by the server
 * within 30 s while the endpoint still answers a real probe.
 */
class ServerHealthEndpointIdleIT {
  private static final Pattern HEALTH = Pattern.compile("health and metrics on http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path tmp;

  @Test
  void silentConnectionsAreClosedAndTheEndpointKeepsAnswering() throws Exception {
    try (Proc server = Proc.trustmesh(tmp, "server", "--trust-domain", "example.org", "--data-dir", tmp.resolve("srv"),
        "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--key-manager", "memory",
        "--admin-socket", tmp.resolve("admin.sock"))) {
      await().atMost(Duration.ofSeconds(60)).until(() -> HEALTH.matcher(server.output()).find() || !server.isAlive());
      Matcher m = HEALTH.matcher(server.output());
      assertThat(m.find()).as(server.output()).isTrue();
      int port = Integer.parseInt(m.group(1));

      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          Socket s = new Socket();
          s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
          s.setSoTimeout(45_000);
          idle.add(s);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> probe = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(probe.statusCode()).as("a probe is served while silent connections are open").isEqualTo(200);

        for (Socket s : idle) {
          InputStream in = s.getInputStream();
          // EOF (-1): the server closed it. Had it kept it, the read would time out after 45 s
          // (the server's limits close a silent connection after 10 to 30 s) and fail the test.
          assertThat(in.read()).as("a silent connection is closed by the server").isEqualTo(-1);
        }
      } finally {
        for (Socket s : idle) {
          s.close();
        }
      }
    }
  }
}
