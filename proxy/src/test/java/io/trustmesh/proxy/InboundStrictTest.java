package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.trustmesh.api.x509.FileX509Source;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTP backend behind a STRICT inbound sidecar that allows one SPIFFE ID; curl is the client.
 * Each refusal must show up in the access log with the reason a person can act on.
 */
class InboundStrictTest {
  static Pki pki;
  static Pki otherRoot;
  static SpiffeId server;
  static SpiffeId frontend;
  static SpiffeId intruder;
  @TempDir static Path certs;

  @TempDir Path tmp;
  HttpServer backend;
  FileX509Source source;
  Sidecar sidecar;
  Path accessLog;

  @BeforeAll
  static void pki() throws Exception {
    // The CA is back-dated so an SVID that has already expired can chain to the trusted root.
    pki = Pki.create("example.org", Clock.fixed(Instant.now().minus(Duration.ofHours(3)), ZoneOffset.UTC));
    otherRoot = Pki.create("example.org");
    server = pki.id("ns", "prod", "sa", "backend");
    frontend = pki.id("ns", "prod", "sa", "frontend");
    intruder = pki.id("ns", "prod", "sa", "intruder");
    pki.writeForTools(pki.svid(server, "localhost"), certs.resolve("server"));
    pki.writeForTools(pki.svid(frontend), certs.resolve("frontend"));
    pki.writeForTools(pki.svid(intruder), certs.resolve("intruder"));
    otherRoot.writeForTools(otherRoot.svid(frontend), certs.resolve("other-root"));
    X509Svid expired = pki.svid(frontend, Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC),
        Duration.ofHours(1));
    pki.writeForTools(expired, certs.resolve("expired"));
  }

  @BeforeEach
  void start() throws Exception {
    backend = Peers.backend();
    accessLog = tmp.resolve("access.log");
    source = TestSidecars.source(certs.resolve("server"));
    sidecar = TestSidecars.start(TestSidecars.config(
        List.of(TestSidecars.inbound("web", backend.getAddress(), InboundMode.STRICT,
            AllowPolicy.builder().id(frontend).build())),
        List.of(), accessLog, Limits.DEFAULT), source);
  }

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, source);
    Peers.stop(backend);
  }

  private int port() {
    return sidecar.address("web").getPort();
  }

  private Peers.Result curl(String who) throws Exception {
    List<String> args = new ArrayList<>();
    if (who != null) {
      args.addAll(Peers.clientCert(certs.resolve(who)));
    }
    return Peers.curlTls(port(), certs.resolve("server"), args.toArray(new String[0]));
  }

  private JsonNode onlyEntry() {
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
    return AccessLogFile.read(accessLog).get(0);
  }

  @Test
  void allowedClientGetsTheBackendsResponse() throws Exception {
    Peers.Result r = curl("frontend");

    assertThat(r.stdout()).as(r.stderr()).isEqualTo("hello from backend\n");
    JsonNode e = onlyEntry();
    assertThat(e.get("result").asText()).isEqualTo("ok");
    assertThat(e.get("tls").asText()).isEqualTo("mtls");
    assertThat(e.get("peer_spiffe_id").asText()).isEqualTo(frontend.toString());
    assertThat(e.get("tls_version").asText()).isEqualTo("TLSv1.3");
    assertThat(e.get("tls_cipher").asText()).isNotBlank();
    assertThat(e.get("bytes_to_client").asLong()).isGreaterThan(18);
    assertThat(e.get("bytes_from_client").asLong()).isGreaterThan(0);
    assertThat(e.get("listener").asText()).isEqualTo("web");
    assertThat(e.get("direction").asText()).isEqualTo("inbound");
    assertThat(sidecar.engine().describe()).as("BoringSSL with epoll is the engine").startsWith("BoringSSL")
        .contains("epoll");
  }

  @Test
  void clientWithoutCertificateIsRefused() throws Exception {
    Peers.Result r = curl(null);

    assertThat(r.exit()).isNotZero();
    assertThat(r.stdout()).doesNotContain("hello from backend");
    JsonNode e = onlyEntry();
    assertThat(e.get("result").asText()).isEqualTo("handshake_failed");
    assertThat(e.get("reason").asText()).isEqualTo("peer_no_certificate");
    assertThat(e.get("detail").asText()).endsWith("The client presented no certificate.");
    assertThat(e.get("tls").asText()).as("the client attempted TLS").isEqualTo("mtls");
  }

  @Test
  void certificateFromAnotherRootIsRefused() throws Exception {
    Peers.Result r = curl("other-root");

    assertThat(r.exit()).isNotZero();
    assertThat(r.stdout()).doesNotContain("hello from backend");
    JsonNode e = onlyEntry();
    assertThat(e.get("result").asText()).isEqualTo("handshake_failed");
    assertThat(e.get("reason").asText()).isEqualTo("peer_unknown_authority");
    assertThat(e.get("detail").asText()).contains("Certificate signed by unknown authority CN=");
  }

  @Test
  void allowedTrustDomainButDeniedIdIsRefused() throws Exception {
    Peers.Result r = curl("intruder");

    assertThat(r.exit()).isNotZero();
    assertThat(r.stdout()).doesNotContain("hello from backend");
    JsonNode e = onlyEntry();
    assertThat(e.get("result").asText()).isEqualTo("denied");
    assertThat(e.get("peer_spiffe_id").asText()).isEqualTo(intruder.toString());
    assertThat(e.get("reason").asText()).isEqualTo("peer_not_allowed");
    assertThat(e.get("detail").asText())
        .contains("SPIFFE ID " + intruder + " is not allowed")
        .contains("id=" + frontend);
  }

  @Test
  void expiredCertificateIsRefused() throws Exception {
    Peers.Result r = curl("expired");

    assertThat(r.exit()).isNotZero();
    assertThat(r.stdout()).doesNotContain("hello from backend");
    JsonNode e = onlyEntry();
    assertThat(e.get("result").asText()).isEqualTo("handshake_failed");
    assertThat(e.get("reason").asText()).isEqualTo("peer_cert_expired");
    assertThat(e.get("detail").asText()).contains("expired at");
  }

  @Test
  void refusalsAreCountedInMetrics() throws Exception {
    // twice each: the second connection of an outcome must add to the same series as the first
    curl(null);
    curl("frontend");
    curl(null);
    curl("frontend");
    InetSocketAddress admin = sidecar.adminAddress().orElseThrow();
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 4);
    long toClient = AccessLogFile.read(accessLog).stream().mapToLong(e -> e.get("bytes_to_client").asLong()).sum();

    Peers.Result m = Peers.run(List.of("curl", "-sS", "http://127.0.0.1:" + admin.getPort() + "/metrics"));

    assertThat(toClient).isPositive();
    assertThat(m.stdout())
        .contains("trustmesh_proxy_connections_total{direction=\"inbound\",listener=\"web\",result=\"ok\",tls=\"mtls\"} 2.0")
        .contains("trustmesh_proxy_handshake_failures_total{direction=\"inbound\",listener=\"web\",reason=\"peer_no_certificate\"} 2.0")
        .contains("trustmesh_proxy_bytes_total{direction=\"inbound\",flow=\"to_client\",listener=\"web\"} "
            + (double) toClient)
        .contains("trustmesh_proxy_svid_expiry_timestamp_seconds")
        .contains("trustmesh_proxy_active_connections{listener=\"web\"}");
  }
}
