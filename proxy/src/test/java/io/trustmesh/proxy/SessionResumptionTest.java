package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 9 item 5, as found: a client SVID valid for a minute, {@code openssl s_client -sess_out}
 * while it was valid, then after expiry {@code -sess_in}: "Reused", the backend answered and the
 * access log said ok. Now every connection is a full handshake that verifies the chain and the
 * allow policy at the current time, inbound and outbound, TLS 1.3 and 1.2.
 */
class SessionResumptionTest {
  @TempDir Path tmp;
  Pki pki;
  CountingBackend backend;
  Sidecar sidecar;
  Path accessLog;

  @BeforeEach
  void start() throws Exception {
    pki = Pki.create("example.org");
    backend = new CountingBackend();
    accessLog = tmp.resolve("access.log");
  }

  @AfterEach
  void stop() {
    System.clearProperty(TlsEngine.FORCE_PROPERTY);
    if (sidecar != null) {
      sidecar.close();
    }
    backend.close();
  }

  /** openssl s_client sending one HTTP request; returns what it printed. */
  private String sClient(int port, Path client, String version, String... sessionArgs) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
        version, "-cert", client.resolve("leaf.pem").toString(), "-cert_chain", client.resolve("chain.pem").toString(),
        "-key", client.resolve("key.pem").toString(), "-CAfile", client.resolve("root.pem").toString(), "-ign_eof"));
    cmd.addAll(List.of(sessionArgs));
    Path out = Files.createTempFile(tmp, "s_client", ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      p.getOutputStream().write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes());
      p.getOutputStream().close();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("s_client did not finish: " + Files.readString(out));
      }
      return Files.readString(out);
    } finally {
      Peers.destroy(p);
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({"-tls1_3, boringssl", "-tls1_2, boringssl", "-tls1_3, jdk", "-tls1_2, jdk"})
  void anExpiredClientCannotResumeASessionFromWhileItWasValid(String version, String engine) throws Exception {
    if (engine.equals("jdk")) {
      System.setProperty(TlsEngine.FORCE_PROPERTY, "jdk");
    }
    ManualClock clock = new ManualClock(Instant.now());
    SpiffeId web = pki.id("ns", "prod", "sa", "web");
    X509Svid server = pki.svid(pki.id("ns", "prod", "sa", "backend"), "localhost");
    X509Svid client = pki.svid(web, Clock.systemUTC(), Duration.ofMinutes(1));
    Path clientDir = pki.writeForTools(client, tmp.resolve("client"));
    FixedX509Source source = new FixedX509Source(server, X509BundleSet.of(new X509Bundle(pki.td, List.of(pki.root))));
    InboundListener in = TestSidecars.inbound("web", backend.address(), InboundMode.STRICT,
        AllowPolicy.builder().trustDomain(pki.td).build());
    sidecar = Sidecar.start(TestSidecars.config(List.of(in), List.of(), accessLog, Limits.DEFAULT), source, clock);
    int port = sidecar.address("web").getPort();
    Path session = tmp.resolve("session.pem");

    String first = sClient(port, clientDir, version, "-sess_out", session.toString());
    assertThat(first).contains("hello from backend");
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
    assertThat(backend.requests.get()).isEqualTo(1);

    if (engine.equals("boringssl")) {
      // BoringSSL hands out nothing to resume: no ticket, no cached session ID (s_client then
      // writes no session file). The JDK engine sends a ticket naming a session it has dropped.
      assertThat(first).doesNotContain("TLS session ticket:").doesNotContain("Post-Handshake New Session Ticket");
    }

    clock.advance(Duration.ofMinutes(2)); // the client's SVID has now expired, for the verifier
    String second = Files.exists(session)
        ? sClient(port, clientDir, version, "-sess_in", session.toString())
        : sClient(port, clientDir, version);

    assertThat(second).doesNotContain("Reused,").doesNotContain("hello from backend");
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 2);
    JsonNode refused = AccessLogFile.read(accessLog).get(1);
    assertThat(refused.get("result").asText()).isEqualTo("handshake_failed");
    assertThat(refused.get("reason").asText()).isEqualTo("peer_cert_expired");
    assertThat(backend.requests.get()).isEqualTo(1);
  }

  @Test
  void aLongRunningOutboundWhoseSvidExpiredCannotResumeWithTheServer() throws Exception {
    // The server is openssl s_server, which caches sessions and issues tickets; it checks the client
    // certificate at its own (real) time, so the client SVID lives only a few seconds. It is issued
    // once s_server runs: a slow start of openssl on a busy machine must not eat its lifetime.
    SpiffeId payments = pki.id("ns", "prod", "sa", "payments");
    pki.writeForTools(pki.svid(payments, "payments.example.org"), tmp.resolve("server"));
    try (OpensslServer s = OpensslServer.start(tmp.resolve("server"), tmp, "-Verify", "2", "-verify_return_error")) {
      X509Svid mine = pki.svid(pki.id("ns", "prod", "sa", "web"), Clock.systemUTC(), Duration.ofSeconds(4));
      FixedX509Source source = new FixedX509Source(mine, X509BundleSet.of(new X509Bundle(pki.td, List.of(pki.root))));
      OutboundListener out = new OutboundListener("payments", TestSidecars.any(), "127.0.0.1", s.port(),
          OutboundTls.MUTUAL, Optional.of(payments), Optional.empty(), Optional.empty(), List.of());
      sidecar = Sidecar.start(TestSidecars.config(List.of(), List.of(out), accessLog, Limits.DEFAULT), source,
          Clock.systemUTC());
      int port = sidecar.address("payments").getPort();

      assertThat(Peers.curlPlain(port).stdout()).contains("s_server -accept").contains("Client certificate");

      Instant notAfter = mine.leaf().getNotAfter().toInstant();
      await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(notAfter.plusSeconds(1)));
      Peers.Result after = Peers.curlPlain(port);

      assertThat(after.stdout()).doesNotContain("s_server -accept");
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(s.log()).contains("certificate has expired"));
    }
  }
}
