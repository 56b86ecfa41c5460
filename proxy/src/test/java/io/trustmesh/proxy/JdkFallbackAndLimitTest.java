package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.trustmesh.api.x509.FileX509Source;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JDK TLS fallback serves the same peers and says so in /ready; the connection limit holds. */
class JdkFallbackAndLimitTest {
  @TempDir Path tmp;
  HttpServer backend;
  FileX509Source source;
  Sidecar sidecar;
  Path accessLog;
  Pki pki;

  @BeforeEach
  void certs() throws Exception {
    pki = Pki.create("example.org");
    pki.writeForTools(pki.svid(pki.id("ns", "prod", "sa", "backend"), "localhost"), tmp.resolve("server"));
    pki.writeForTools(pki.svid(pki.id("ns", "prod", "sa", "frontend")), tmp.resolve("frontend"));
    backend = Peers.backend();
    accessLog = tmp.resolve("access.log");
    source = TestSidecars.source(tmp.resolve("server"));
  }

  @AfterEach
  void stop() {
    System.clearProperty(TlsEngine.FORCE_PROPERTY);
    TestSidecars.stop(sidecar, source);
    Peers.stop(backend);
  }

  private void start(Limits limits) {
    sidecar = TestSidecars.strictWeb(backend.getAddress(), pki.td, accessLog, limits, source);
  }

  @Test
  void jdkEngineServesMutualTlsAndIsReportedAsFallback() throws Exception {
    System.setProperty(TlsEngine.FORCE_PROPERTY, "jdk");
    start(Limits.DEFAULT);

    Peers.Result ok = Peers.curlTls(sidecar.address("web").getPort(), tmp.resolve("server"),
        Peers.clientCert(tmp.resolve("frontend")).toArray(new String[0]));
    Peers.Result none = Peers.curlTls(sidecar.address("web").getPort(), tmp.resolve("server"));
    Peers.Result ready = Peers.run(List.of("curl", "-sS",
        "http://127.0.0.1:" + sidecar.adminAddress().orElseThrow().getPort() + "/ready"));

    assertThat(ok.stdout()).as(ok.stderr()).isEqualTo("hello from backend\n");
    assertThat(none.exit()).isNotZero();
    assertThat(ready.stdout()).contains("\"tls_engine_fallback\":true").contains("JDK");
    assertThat(sidecar.notes()).anyMatch(n -> n.contains("fallback"));
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 2);
    assertThat(AccessLogFile.read(accessLog)).extracting(e -> e.get("result").asText())
        .containsExactlyInAnyOrder("ok", "handshake_failed");
  }

  @Test
  void connectionsOverTheLimitAreRefused() throws Exception {
    start(new Limits(Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(5), 1));
    try (Socket first = new Socket(Peers.LOOPBACK, sidecar.address("web").getPort())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> sidecar.active.get() == 1);
      try (Socket second = new Socket(Peers.LOOPBACK, sidecar.address("web").getPort())) {
        second.setSoTimeout(10_000);
        assertThat(second.getInputStream().read()).as("closed at once").isEqualTo(-1);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
      JsonNode e = AccessLogFile.read(accessLog).get(0);
      assertThat(e.get("result").asText()).isEqualTo("rejected");
      assertThat(e.get("reason").asText()).isEqualTo("connection limit of 1 reached");
    }
  }
}
