package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.trustmesh.api.x509.FileX509Source;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage, a truncated ClientHello, a silent client and plaintext HTTP on a STRICT port: each is
 * refused and closed (the silent ones at the 1 s handshake timeout), and the proxy keeps serving.
 */
class HostileInputTest {
  @TempDir Path tmp;
  HttpServer backend;
  FileX509Source source;
  Sidecar sidecar;
  Path accessLog;

  @BeforeEach
  void start() throws Exception {
    Pki pki = Pki.create("example.org");
    pki.writeForTools(pki.svid(pki.id("ns", "prod", "sa", "backend"), "localhost"), tmp.resolve("server"));
    pki.writeForTools(pki.svid(pki.id("ns", "prod", "sa", "frontend")), tmp.resolve("frontend"));
    backend = Peers.backend();
    accessLog = tmp.resolve("access.log");
    source = TestSidecars.source(tmp.resolve("server"));
    sidecar = TestSidecars.strictWeb(backend.getAddress(), pki.td, accessLog,
        Limits.DEFAULT.withHandshakeTimeout(Duration.ofSeconds(1)), source);
  }

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, source);
    Peers.stop(backend);
  }

  /** Sends bytes (keeping our side open) and returns what came back until the proxy closed. */
  private byte[] sendAndAwaitClose(byte[] bytes) throws IOException {
    try (Socket s = new Socket(Peers.LOOPBACK, sidecar.address("web").getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          got.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the proxy did not close the connection within 10 s", e);
      } catch (IOException reset) {
        // a reset is a refusal too
      }
      return got.toByteArray();
    }
  }

  private JsonNode lastEntry(int count) {
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() >= count);
    return AccessLogFile.read(accessLog).get(count - 1);
  }

  private void proxyStillServes() throws Exception {
    Peers.Result r = Peers.curlTls(sidecar.address("web").getPort(), tmp.resolve("server"),
        Peers.clientCert(tmp.resolve("frontend")).toArray(new String[0]));
    assertThat(r.stdout()).as(r.stderr()).isEqualTo("hello from backend\n");
  }

  @Test
  void randomBytesAreRefused() throws Exception {
    byte[] junk = new byte[2048];
    new Random(42).nextBytes(junk);
    junk[0] = 0x42; // not a handshake record

    byte[] reply = sendAndAwaitClose(junk);

    assertThat(new String(reply, StandardCharsets.ISO_8859_1)).doesNotContain("hello from backend");
    JsonNode e = lastEntry(1);
    assertThat(e.get("result").asText()).isEqualTo("handshake_failed");
    assertThat(e.get("reason").asText()).isEqualTo("not_tls");
    assertThat(e.get("detail").asText()).contains("Not a TLS handshake");
    proxyStillServes();
  }

  @Test
  void truncatedClientHelloIsClosedAtTheHandshakeTimeout() throws Exception {
    // A TLS record header announcing 512 bytes of ClientHello, then only the first few of them.
    byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03, 1, 2, 3, 4};

    sendAndAwaitClose(hello);

    JsonNode e = lastEntry(1);
    assertThat(e.get("result").asText()).isEqualTo("handshake_failed");
    assertThat(e.get("reason").asText()).isEqualTo("no_response");
    assertThat(e.get("detail").asText())
        .isEqualTo("The handshake stalled. Handshake not completed within 1s (the client sent nothing or stalled).");
    proxyStillServes();
  }

  @Test
  void silentClientIsClosedAtTheHandshakeTimeout() throws Exception {
    sendAndAwaitClose(new byte[0]);

    JsonNode e = lastEntry(1);
    assertThat(e.get("reason").asText()).isEqualTo("no_response");
    assertThat(e.get("detail").asText())
        .isEqualTo("The handshake stalled. Handshake not completed within 1s (the client sent nothing or stalled).");
    assertThat(e.get("duration_ms").asDouble()).isGreaterThanOrEqualTo(900);
    proxyStillServes();
  }

  @Test
  void plaintextHttpOnStrictPortIsRefused() throws Exception {
    byte[] reply = sendAndAwaitClose("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    assertThat(new String(reply, StandardCharsets.ISO_8859_1)).doesNotContain("hello from backend");
    JsonNode e = lastEntry(1);
    assertThat(e.get("result").asText()).isEqualTo("handshake_failed");
    // netty reports this one without the bytes, so it cannot be told apart from other non-TLS input
    assertThat(e.get("reason").asText()).isEqualTo("not_tls");
    assertThat(e.get("tls").asText()).isEqualTo("plaintext");
    proxyStillServes();
  }
}
