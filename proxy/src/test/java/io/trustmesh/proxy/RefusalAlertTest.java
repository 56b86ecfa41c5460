package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 6, as found: an expired client certificate and a denied identity both got alert 80
 * (internal error), so neither the peer nor the handshake doctor could tell why. openssl s_client
 * now reads the alert that names the reason.
 */
class RefusalAlertTest {
  @TempDir Path tmp;
  Pki pki;
  Pki otherRoot;
  ManualClock clock;
  CountingBackend backend;
  Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    pki = Pki.create("example.org");
    otherRoot = Pki.create("example.org");
    clock = new ManualClock(Instant.now());
    backend = new CountingBackend();
    X509Svid server = pki.svid(pki.id("ns", "prod", "sa", "backend"), "localhost");
    InboundListener in = TestSidecars.inbound("web", backend.address(), InboundMode.STRICT,
        AllowPolicy.builder().id(pki.id("ns", "prod", "sa", "web")).build());
    sidecar = Sidecar.start(TestSidecars.config(List.of(in), List.of(), tmp.resolve("access.log"), Limits.DEFAULT),
        new FixedX509Source(server, X509BundleSet.of(new X509Bundle(pki.td, List.of(pki.root)))), clock);
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    backend.close();
  }

  private String sClient(Path client, String version) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect",
        "127.0.0.1:" + sidecar.address("web").getPort(), version, "-ign_eof"));
    if (client != null) {
      cmd.addAll(List.of("-cert", client.resolve("leaf.pem").toString(), "-cert_chain",
          client.resolve("chain.pem").toString(), "-key", client.resolve("key.pem").toString()));
    }
    Path out = Files.createTempFile(tmp, "s_client", ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      p.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
      p.getOutputStream().close();
      await().atMost(Duration.ofSeconds(20)).until(() -> p.waitFor(100, TimeUnit.MILLISECONDS));
      return Files.readString(out);
    } finally {
      Peers.destroy(p);
    }
  }

  private Path client(Pki issuer, String name, Duration ttl) throws Exception {
    return issuer.writeForTools(issuer.svid(issuer.id("ns", "prod", "sa", name), Clock.systemUTC(), ttl),
        tmp.resolve(name + "-" + System.identityHashCode(issuer)));
  }

  @Test
  void anExpiredClientCertificateGetsCertificateExpired() throws Exception {
    Path web = client(pki, "web", Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(2));

    assertThat(sClient(web, "-tls1_3")).contains("SSL alert number 45").doesNotContain("hello from backend");
    assertThat(sClient(web, "-tls1_2")).contains("SSL alert number 45");
    assertThat(backend.requests.get()).isZero();
  }

  @Test
  void aClientFromAnUnknownCaGetsUnknownCa() throws Exception {
    Path stranger = client(otherRoot, "web", Duration.ofHours(1));

    assertThat(sClient(stranger, "-tls1_3")).contains("SSL alert number 48");
    assertThat(sClient(stranger, "-tls1_2")).contains("SSL alert number 48");
  }

  @Test
  void aValidClientWhoseIdIsNotAllowedGetsAnAlertOtherThanInternalError() throws Exception {
    Path intruder = client(pki, "intruder", Duration.ofHours(1));

    String out = sClient(intruder, "-tls1_3");

    // handshake_failure: BoringSSL cannot send access_denied (49) from certificate verification
    assertThat(out).contains("SSL alert number 40").doesNotContain("SSL alert number 80");
    assertThat(backend.requests.get()).isZero();
  }

  @Test
  void aClientWithoutACertificateGetsCertificateRequired() throws Exception {
    assertThat(sClient(null, "-tls1_3")).contains("SSL alert number 116");
  }

  @Test
  void anAllowedClientStillGetsThrough() throws Exception {
    assertThat(sClient(client(pki, "web", Duration.ofHours(1)), "-tls1_3")).contains("hello from backend");
  }
}
