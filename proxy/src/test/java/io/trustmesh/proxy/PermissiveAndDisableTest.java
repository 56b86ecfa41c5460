package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.trustmesh.api.x509.FileX509Source;
import io.trustmesh.core.spiffe.SpiffeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PERMISSIVE serves mTLS and plaintext on one port; DISABLE passes plaintext through. */
class PermissiveAndDisableTest {
  @TempDir Path tmp;
  HttpServer backend;
  FileX509Source source;
  Sidecar sidecar;
  Path accessLog;
  SpiffeId frontend;

  @BeforeEach
  void start() throws Exception {
    Pki pki = Pki.create("example.org");
    frontend = pki.id("ns", "prod", "sa", "frontend");
    pki.writeForTools(pki.svid(pki.id("ns", "prod", "sa", "backend"), "localhost"), tmp.resolve("server"));
    pki.writeForTools(pki.svid(frontend), tmp.resolve("frontend"));
    backend = Peers.backend();
    accessLog = tmp.resolve("access.log");
    source = TestSidecars.source(tmp.resolve("server"));
    AllowPolicy allow = AllowPolicy.builder().trustDomain(pki.td).build();
    sidecar = TestSidecars.start(TestSidecars.config(List.of(
        TestSidecars.inbound("permissive", backend.getAddress(), InboundMode.PERMISSIVE, allow),
        TestSidecars.inbound("metrics", backend.getAddress(), InboundMode.DISABLE, AllowPolicy.builder().build())),
        List.of(), accessLog, Limits.DEFAULT), source);
  }

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, source);
    Peers.stop(backend);
  }

  @Test
  void permissivePortServesPlaintextAndMutualTls() throws Exception {
    int port = sidecar.address("permissive").getPort();

    Peers.Result plain = Peers.curlPlain(port);
    Peers.Result mtls = Peers.curlTls(port, tmp.resolve("server"),
        Peers.clientCert(tmp.resolve("frontend")).toArray(new String[0]));

    assertThat(plain.stdout()).as(plain.stderr()).isEqualTo("hello from backend\n");
    assertThat(mtls.stdout()).as(mtls.stderr()).isEqualTo("hello from backend\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 2);
    List<JsonNode> entries = AccessLogFile.read(accessLog);
    assertThat(entries).extracting(e -> e.get("tls").asText()).containsExactlyInAnyOrder("plaintext", "mtls");
    assertThat(entries).allMatch(e -> e.get("result").asText().equals("ok"));
    JsonNode plainEntry = entries.stream().filter(e -> e.get("tls").asText().equals("plaintext")).findFirst()
        .orElseThrow();
    assertThat(plainEntry.get("peer_spiffe_id").isNull()).isTrue();
    assertThat(plainEntry.get("peer_address").asText()).startsWith("127.0.0.1:");
  }

  @Test
  void permissivePortStillRequiresAClientCertificateForTls() throws Exception {
    int port = sidecar.address("permissive").getPort();

    Peers.Result r = Peers.curlTls(port, tmp.resolve("server"));

    assertThat(r.exit()).isNotZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
    assertThat(AccessLogFile.read(accessLog).get(0).get("reason").asText())
        .isEqualTo("peer_no_certificate");
  }

  @Test
  void disabledPortPassesPlaintext() throws Exception {
    Peers.Result r = Peers.curlPlain(sidecar.address("metrics").getPort());

    assertThat(r.stdout()).as(r.stderr()).isEqualTo("hello from backend\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
    JsonNode e = AccessLogFile.read(accessLog).get(0);
    assertThat(e.get("listener").asText()).isEqualTo("metrics");
    assertThat(e.get("tls").asText()).isEqualTo("plaintext");
    assertThat(e.get("result").asText()).isEqualTo("ok");
  }
}
