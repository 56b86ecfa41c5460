package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.trustmesh.api.x509.FileX509Source;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoint, and a broken SVID file that must not take the last good identity away. */
class ReloadAndAdminTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  Pki pki;
  SpiffeId serverId;
  X509Svid first;
  HttpServer backend;
  FileX509Source source;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    pki = Pki.create("example.org");
    serverId = pki.id("ns", "prod", "sa", "backend");
    first = pki.svid(serverId, "localhost");
    pki.writeForTools(first, tmp.resolve("server"));
    pki.writeForTools(pki.svid(pki.id("ns", "prod", "sa", "frontend")), tmp.resolve("frontend"));
    backend = Peers.backend();
    AtomicReference<Sidecar> ref = new AtomicReference<>();
    source = FileX509Source.watchDirectory(tmp.resolve("server"), Duration.ofSeconds(1), msg -> {
      if (ref.get() != null) {
        ref.get().reportReloadFailure(msg);
      }
    });
    sidecar = Sidecar.start(TestSidecars.config(List.of(
        TestSidecars.inbound("web", backend.getAddress(), InboundMode.STRICT,
            AllowPolicy.builder().trustDomain(pki.td).build())),
        List.of(), tmp.resolve("access.log"), Limits.DEFAULT), source, Clock.systemUTC());
    ref.set(sidecar);
  }

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, source);
    Peers.stop(backend);
  }

  private Peers.Result admin(String path) throws Exception {
    return Peers.run(List.of("curl", "-sS", "-w", "\n%{http_code}",
        "http://127.0.0.1:" + sidecar.adminAddress().orElseThrow().getPort() + path));
  }

  private JsonNode certs() throws Exception {
    String out = admin("/certs").stdout();
    return JSON.readTree(out.substring(0, out.lastIndexOf('\n')));
  }

  private Peers.Result mtls() throws Exception {
    return Peers.curlTls(sidecar.address("web").getPort(), tmp.resolve("server"),
        Peers.clientCert(tmp.resolve("frontend")).toArray(new String[0]));
  }

  @Test
  void adminEndpointReportsHealthReadinessAndIdentity() throws Exception {
    assertThat(admin("/healthz").stdout()).isEqualTo("ok\n\n200");
    Peers.Result ready = admin("/ready");
    assertThat(ready.stdout()).contains("\"ready\":true").contains("BoringSSL").endsWith("200");
    JsonNode certs = certs();
    assertThat(certs.at("/svid/spiffe_id").asText()).isEqualTo(serverId.toString());
    assertThat(certs.at("/svid/serial").asText()).isEqualTo(first.leaf().getSerialNumber().toString(16));
    assertThat(certs.at("/svid/not_after").asText()).isEqualTo(first.leaf().getNotAfter().toInstant().toString());
    assertThat(certs.at("/bundles/0/trust_domain").asText()).isEqualTo("example.org");
    assertThat(certs.at("/bundles/0/authorities/0/sha256").asText()).hasSize(64);
    // the chain with issuer links and expiries, for the dashboard's hierarchy; public fields only
    assertThat(certs.at("/svid/chain_certificates/0/serial").asText()).isEqualTo(certs.at("/svid/serial").asText());
    assertThat(certs.at("/svid/chain_certificates/0/ca").asBoolean()).isFalse();
    assertThat(certs.at("/svid/chain_certificates/1/subject").asText())
        .isEqualTo(certs.at("/svid/chain_certificates/0/issuer").asText());
    assertThat(certs.at("/svid/chain_certificates/1/ca").asBoolean()).isTrue();
    assertThat(certs.at("/svid/chain_certificates/1/not_after").asText()).isNotEmpty();
    assertThat(certs.toString()).doesNotContain("PRIVATE KEY");
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("(?m)^trustmesh_proxy_svid_expiry_timestamp_seconds (\\S+)$").matcher(admin("/metrics").stdout());
    assertThat(m.find()).isTrue();
    assertThat(Double.parseDouble(m.group(1)))
        .isEqualTo((double) first.leaf().getNotAfter().toInstant().getEpochSecond());
  }

  @Test
  void brokenFileIsReportedAndTheLastGoodIdentityStaysInService() throws Exception {
    Files.writeString(tmp.resolve("server/svid.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n"
        + "-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(admin("/metrics").stdout()).contains("trustmesh_proxy_reloads_total{result=\"failed\"} 1.0"));
    assertThat(certs().at("/svid/serial").asText()).isEqualTo(first.leaf().getSerialNumber().toString(16));
    assertThat(certs().at("/last_reload_failure").asText()).contains("keeping the last good SVID");
    assertThat(admin("/ready").stdout()).contains("\"ready\":true");
    assertThat(mtls().stdout()).isEqualTo("hello from backend\n");

    X509Svid next = pki.svid(serverId, "localhost");
    pki.write(next, tmp.resolve("server"));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(certs().at("/svid/serial").asText()).isEqualTo(next.leaf().getSerialNumber().toString(16)));
    assertThat(admin("/metrics").stdout()).contains("trustmesh_proxy_reloads_total{result=\"ok\"} 1.0");
    assertThat(mtls().stdout()).isEqualTo("hello from backend\n");
  }
}
