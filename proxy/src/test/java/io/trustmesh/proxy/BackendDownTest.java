package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY.md 27: a backend that is down does not harm the sidecar; the client's connection is
 * closed, the access log says which target refused and why, and the sidecar serves again as soon
 * as the backend is up, without a restart.
 */
class BackendDownTest {
  @TempDir Path tmp;
  HttpServer backend;
  Sidecar sidecar;

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, null);
    Peers.stop(backend);
  }

  @Test
  void aDownBackendIsReportedAndServiceResumesWhenItComesBack() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, Peers.LOOPBACK)) {
      port = probe.getLocalPort(); // free again once closed: nothing listens there yet
    }
    InetSocketAddress target = new InetSocketAddress(Peers.LOOPBACK, port);
    Path accessLog = tmp.resolve("access.log");
    sidecar = TestSidecars.start(TestSidecars.config(List.of(TestSidecars.inbound("web", target, InboundMode.DISABLE,
        AllowPolicy.builder().build())), List.of(), accessLog, Limits.DEFAULT), null);
    int listen = sidecar.address("web").getPort();

    Peers.Result down = Peers.curlPlain(listen);

    assertThat(down.exit()).as("curl fails: %s", down.stderr()).isNotZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
    JsonNode line = AccessLogFile.read(accessLog).get(0);
    assertThat(line.get("result").asText()).isEqualTo("upstream_failed");
    assertThat(line.get("reason").asText())
        .isEqualTo("cannot connect to target localhost:" + port + ": Connection refused");

    backend = HttpServer.create(target, 16);
    backend.createContext("/", ex -> {
      byte[] body = "back again\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    backend.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
    backend.start();

    assertThat(Peers.curlPlain(listen).stdout()).isEqualTo("back again\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> sidecar.openConnections() == 0);
    assertThat(AccessLogFile.read(accessLog)).extracting(n -> n.get("result").asText())
        .containsExactly("upstream_failed", "ok");
  }
}
