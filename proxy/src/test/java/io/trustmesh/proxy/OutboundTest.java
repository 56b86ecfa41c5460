package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.api.x509.FileX509Source;
import io.trustmesh.core.spiffe.SpiffeId;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plaintext client (curl) goes through an outbound sidecar to {@code openssl s_server -Verify},
 * which requires a client certificate: the sidecar presents our SVID and checks the server's.
 */
class OutboundTest {
  @TempDir Path tmp;
  Pki pki;
  SpiffeId server;
  FileX509Source source;
  Sidecar sidecar;
  Process openssl;
  Path accessLog;
  int serverPort;

  @BeforeEach
  void start() throws Exception {
    pki = Pki.create("example.org");
    server = pki.id("ns", "prod", "sa", "payments");
    pki.writeForTools(pki.svid(server, "payments.example.org"), tmp.resolve("server"));
    pki.writeForTools(pki.svid(pki.id("ns", "prod", "sa", "frontend")), tmp.resolve("client"));
    accessLog = tmp.resolve("access.log");
    openssl = startServer(true);
    source = TestSidecars.source(tmp.resolve("client"));
  }

  /** openssl s_server -www on an ephemeral port (it prints the one it bound); -Verify requires a client cert. */
  private Process startServer(boolean requireClientCert) throws Exception {
    Path s = tmp.resolve("server");
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:0", "-www",
        "-cert", s.resolve("leaf.pem").toString(), "-cert_chain", s.resolve("chain.pem").toString(),
        "-key", s.resolve("key.pem").toString(), "-CAfile", s.resolve("root.pem").toString()));
    if (requireClientCert) {
      cmd.addAll(List.of("-Verify", "2", "-verify_return_error"));
    }
    Path log = Files.createTempFile(tmp, "s_server", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Pattern accept = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)");
    await().atMost(Duration.ofSeconds(10)).until(() -> accept.matcher(Files.readString(log)).find());
    Matcher m = accept.matcher(Files.readString(log));
    m.find();
    serverPort = Integer.parseInt(m.group(1));
    return p;
  }

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, source);
    Peers.destroy(openssl);
  }

  private void startSidecar(OutboundTls tls, Optional<SpiffeId> expectId, Optional<String> serverName,
      List<java.security.cert.X509Certificate> caBundle) {
    OutboundListener out = new OutboundListener("payments", TestSidecars.any(), "127.0.0.1", serverPort, tls,
        expectId, Optional.empty(), serverName, caBundle);
    sidecar = TestSidecars.start(TestSidecars.config(List.of(), List.of(out), accessLog, Limits.DEFAULT), source);
  }

  @Test
  void plaintextClientReachesServerThatRequiresAClientCertificate() throws Exception {
    startSidecar(OutboundTls.MUTUAL, Optional.of(server), Optional.empty(), List.of());

    Peers.Result r = Peers.curlPlain(sidecar.address("payments").getPort());

    assertThat(r.stdout()).as(r.stderr()).contains("s_server -accept").contains("Client certificate");
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
    JsonNode e = AccessLogFile.read(accessLog).get(0);
    assertThat(e.get("result").asText()).isEqualTo("ok");
    assertThat(e.get("direction").asText()).isEqualTo("outbound");
    assertThat(e.get("tls").asText()).isEqualTo("mtls");
    assertThat(e.get("peer_spiffe_id").asText()).isEqualTo(server.toString());
  }

  @Test
  void serverWithTheWrongSpiffeIdIsRefused() throws Exception {
    SpiffeId expected = pki.id("ns", "prod", "sa", "ledger");
    startSidecar(OutboundTls.MUTUAL, Optional.of(expected), Optional.empty(), List.of());

    Peers.Result r = Peers.curlPlain(sidecar.address("payments").getPort());

    assertThat(r.stdout()).doesNotContain("s_server");
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
    JsonNode e = AccessLogFile.read(accessLog).get(0);
    assertThat(e.get("result").asText()).isEqualTo("denied");
    assertThat(e.get("reason").asText()).isEqualTo("peer_id_mismatch");
    assertThat(e.get("detail").asText()).endsWith("SPIFFE ID mismatch: got " + server + " expected " + expected + ".");
  }

  @Test
  void externalPartnerIsCheckedByDnsName() throws Exception {
    startSidecar(OutboundTls.MUTUAL, Optional.empty(), Optional.of("payments.example.org"), List.of(pki.root));

    Peers.Result r = Peers.curlPlain(sidecar.address("payments").getPort());

    assertThat(r.stdout()).as(r.stderr()).contains("s_server -accept");
  }

  @Test
  void wrongDnsNameIsRefused() throws Exception {
    startSidecar(OutboundTls.MUTUAL, Optional.empty(), Optional.of("evil.example.org"), List.of(pki.root));

    Peers.Result r = Peers.curlPlain(sidecar.address("payments").getPort());

    assertThat(r.stdout()).doesNotContain("s_server");
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
    JsonNode e = AccessLogFile.read(accessLog).get(0);
    assertThat(e.get("reason").asText()).isEqualTo("peer_name_mismatch");
    assertThat(e.get("detail").asText()).contains("is not valid for DNS name evil.example.org");
  }

  @Test
  void simpleTlsReachesAnExternalServiceWithServerAuthenticationOnly() throws Exception {
    Peers.destroy(openssl);
    openssl = startServer(false);
    startSidecar(OutboundTls.SIMPLE, Optional.empty(), Optional.of("payments.example.org"), List.of(pki.root));

    Peers.Result r = Peers.curlPlain(sidecar.address("payments").getPort());

    assertThat(r.stdout()).as(r.stderr()).contains("s_server -accept").contains("no client certificate available");
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == 1);
    JsonNode e = AccessLogFile.read(accessLog).get(0);
    assertThat(e.get("result").asText()).isEqualTo("ok");
    assertThat(e.get("tls").asText()).isEqualTo("tls");
  }

  @Test
  void certAndKeyFilesCanStandInForAnSvidDirectory() throws Exception {
    source.close();
    Path c = tmp.resolve("client");
    source = FileX509Source.watchFiles(c.resolve("svid.pem"), c.resolve("svid_key.pem"),
        Optional.of(c.resolve("root.pem")), Duration.ofSeconds(30), msg -> {});
    startSidecar(OutboundTls.MUTUAL, Optional.of(server), Optional.empty(), List.of());

    Peers.Result r = Peers.curlPlain(sidecar.address("payments").getPort());

    assertThat(r.stdout()).as(r.stderr()).contains("s_server -accept").contains("Client certificate");
  }
}
