package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.trustmesh.api.x509.FileX509Source;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** openssl s_client probes the inbound port: TLS 1.3 preferred, 1.2 only with ECDHE + AEAD. */
class TlsPolicyTest {
  @TempDir Path tmp;
  HttpServer backend;
  FileX509Source source;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    Pki pki = Pki.create("example.org");
    pki.writeForTools(pki.svid(pki.id("ns", "prod", "sa", "backend"), "localhost"), tmp.resolve("server"));
    pki.writeForTools(pki.svid(pki.id("ns", "prod", "sa", "frontend")), tmp.resolve("frontend"));
    backend = Peers.backend();
    source = TestSidecars.source(tmp.resolve("server"));
    sidecar = TestSidecars.strictWeb(backend.getAddress(), pki.td, tmp.resolve("access.log"), Limits.DEFAULT, source);
  }

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, source);
    Peers.stop(backend);
  }

  private String sClient(String... options) throws Exception {
    Path c = tmp.resolve("frontend");
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect",
        "127.0.0.1:" + sidecar.address("web").getPort(), "-servername", "localhost",
        "-cert", c.resolve("leaf.pem").toString(), "-cert_chain", c.resolve("chain.pem").toString(),
        "-key", c.resolve("key.pem").toString(), "-CAfile", c.resolve("root.pem").toString()));
    cmd.addAll(List.of(options));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    p.getOutputStream().flush();
    // s_client exits when the server closes after answering (HTTP/1.0) or refuses the handshake
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void defaultNegotiatesTls13() throws Exception {
    String out = sClient();

    assertThat(out).contains("New, TLSv1.3, Cipher is TLS_AES_").contains("hello from backend");
  }

  @Test
  void tls12WithEcdheAndAeadIsAccepted() throws Exception {
    String out = sClient("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");

    assertThat(out).contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256").contains("hello from backend");
  }

  @Test
  void tls12WithoutAeadIsRefused() throws Exception {
    String out = sClient("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA");

    assertThat(out).doesNotContain("hello from backend").containsIgnoringCase("alert handshake failure");
  }

  @Test
  void tls11IsRefused() throws Exception {
    String out = sClient("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");

    assertThat(out).doesNotContain("hello from backend").doesNotContain("New, TLSv1.1");
  }
}
