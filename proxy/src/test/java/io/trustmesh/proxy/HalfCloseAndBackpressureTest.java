package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.api.x509.FileX509Source;
import io.trustmesh.core.spiffe.SpiffeId;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Half-close is carried across the proxy (a client that shuts down its output still gets the
 * answer), and a client that does not read does not make the proxy buffer what the backend sends.
 */
class HalfCloseAndBackpressureTest {
  static final long BULK = 64L << 20;
  @TempDir Path tmp;
  Pki pki;
  SpiffeId serverId;
  ServerSocket backend;
  ExecutorService pool = Executors.newCachedThreadPool();
  AtomicLong backendWrote = new AtomicLong();
  java.util.concurrent.atomic.AtomicReference<String> backendReadAfterItsFin =
      new java.util.concurrent.atomic.AtomicReference<>();
  FileX509Source source;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    pki = Pki.create("example.org");
    serverId = pki.id("ns", "prod", "sa", "backend");
    pki.write(pki.svid(serverId), tmp.resolve("server"));
    backend = new ServerSocket(0, 16, Peers.LOOPBACK);
    pool.submit(this::serveBackend);
    source = TestSidecars.source(tmp.resolve("server"));
    InetSocketAddress target = (InetSocketAddress) backend.getLocalSocketAddress();
    sidecar = TestSidecars.start(TestSidecars.config(List.of(
        TestSidecars.inbound("tls", target, InboundMode.STRICT, AllowPolicy.builder().trustDomain(pki.td).build()),
        TestSidecars.inbound("plain", target, InboundMode.DISABLE, AllowPolicy.builder().build())),
        List.of(), tmp.resolve("access.log"), Limits.DEFAULT), source);
  }

  /**
   * "bulk\n": send BULK bytes. "last\n": answer, shut down output first, then keep reading to EOF.
   * Anything else: read to EOF, then answer with the byte count.
   */
  private Void serveBackend() throws Exception {
    while (!backend.isClosed()) {
      Socket s = backend.accept();
      pool.submit(() -> {
        try (s) {
          InputStream in = s.getInputStream();
          OutputStream out = s.getOutputStream();
          byte[] first = in.readNBytes(5);
          if (new String(first, StandardCharsets.US_ASCII).equals("bulk\n")) {
            byte[] chunk = new byte[64 * 1024];
            for (long sent = 0; sent < BULK; sent += chunk.length) {
              out.write(chunk);
              backendWrote.addAndGet(chunk.length);
            }
            return null;
          }
          if (new String(first, StandardCharsets.US_ASCII).equals("last\n")) {
            out.write("server done\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            backendReadAfterItsFin.set(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            return null;
          }
          long n = first.length + in.transferTo(OutputStream.nullOutputStream());
          out.write(("got " + n + " bytes\n").getBytes(StandardCharsets.US_ASCII));
          return null;
        }
      });
    }
    return null;
  }

  @AfterEach
  void stop() throws Exception {
    TestSidecars.stop(sidecar, source);
    backend.close();
    pool.shutdownNow();
  }

  @Test
  void plaintextHalfCloseGetsTheAnswer() throws Exception {
    try (Socket s = new Socket(Peers.LOOPBACK, sidecar.address("plain").getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("hello, half-closed world".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();

      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

      assertThat(answer).isEqualTo("got 24 bytes\n");
    }
  }

  @Test
  void tlsClientKeepsSendingAfterTheBackendFinished() throws Exception {
    MtlsClient client = new MtlsClient(pki.svid(pki.id("ns", "prod", "sa", "frontend")), pki.root, serverId);
    try (MtlsClient.Conn c = client.connect(sidecar.address("tls").getPort())) {
      c.socket.getOutputStream().write("last\n".getBytes(StandardCharsets.US_ASCII));
      c.socket.getOutputStream().flush();

      String answer = new String(c.socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      c.socket.getOutputStream().write("still talking".getBytes(StandardCharsets.US_ASCII));
      c.socket.getOutputStream().flush();
      c.socket.shutdownOutput();

      assertThat(answer).as("the backend's FIN arrives as close_notify after its data").isEqualTo("server done\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> backendReadAfterItsFin.get() != null);
      assertThat(backendReadAfterItsFin.get()).isEqualTo("still talking");
    }
  }

  @Test
  void slowReaderDoesNotMakeTheProxyBufferTheStream() throws Exception {
    MtlsClient client = new MtlsClient(pki.svid(pki.id("ns", "prod", "sa", "frontend")), pki.root, serverId);
    try (MtlsClient.Conn c = client.connect(sidecar.address("tls").getPort())) {
      c.socket.getOutputStream().write("bulk\n".getBytes(StandardCharsets.US_ASCII));
      c.socket.getOutputStream().flush();

      // The client reads nothing: the backend must stall once the buffers on the way are full.
      AtomicLong last = new AtomicLong(-1);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
          .until(() -> backendWrote.get() > 0 && last.getAndSet(backendWrote.get()) == backendWrote.get());
      assertThat(backendWrote.get()).as("bytes the backend got rid of while nobody read")
          .isLessThan(BULK / 2);

      InputStream in = c.socket.getInputStream();
      long total = 0;
      byte[] buf = new byte[256 * 1024];
      for (int n; total < BULK && (n = in.read(buf)) >= 0; ) {
        total += n;
      }
      assertThat(total).isEqualTo(BULK);
    }
  }
}
