package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY.md 24: a connection idle both ways for the idle timeout is closed, the peer sees the
 * close, the access log says why, and the open-connection count returns to zero.
 */
class IdleTimeoutTest {
  @TempDir Path tmp;
  HttpServer backend;
  Sidecar sidecar;

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, null);
    Peers.stop(backend);
  }

  @Test
  void anIdleConnectionIsClosedAndLoggedWithTheReason() throws Exception {
    backend = Peers.backend();
    Path accessLog = tmp.resolve("access.log");
    Limits limits = new Limits(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(5), 100);
    sidecar = TestSidecars.start(TestSidecars.config(List.of(TestSidecars.inbound("web", backend.getAddress(),
        InboundMode.DISABLE, AllowPolicy.builder().build())), List.of(), accessLog, limits), null);

    try (Socket s = new Socket(Peers.LOOPBACK, sidecar.address("web").getPort())) {
      s.setSoTimeout(15_000);
      InputStream in = s.getInputStream();
      await().atMost(Duration.ofSeconds(10)).until(() -> sidecar.openConnections() == 1);

      assertThat(in.read()).as("the sidecar closes the idle connection").isEqualTo(-1);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
    JsonNode line = AccessLogFile.read(accessLog).get(0);
    assertThat(line.get("result").asText()).isEqualTo("ok");
    assertThat(line.get("reason").asText()).isEqualTo("closed after 1s idle");
    assertThat(sidecar.openConnections()).isZero();
  }
}
