package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
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
  StrictInbound inbound;

  @BeforeEach
  void start() throws Exception {
    pki = Pki.create("example.org");
    otherRoot = Pki.create("example.org");
    inbound = StrictInbound.start(pki, tmp);
  }

  @AfterEach
  void stop() {
    if (inbound != null) {
      inbound.close();
    }
  }

  private String sClient(Path client, String version) throws Exception {
    return inbound.sClient(client, version);
  }

  private Path client(Pki issuer, String name, Duration ttl) throws Exception {
    return inbound.client(issuer, name, ttl);
  }

  @Test
  void anExpiredClientCertificateGetsCertificateExpired() throws Exception {
    Path web = client(pki, "web", Duration.ofMinutes(1));
    inbound.clock.advance(Duration.ofMinutes(2));

    assertThat(sClient(web, "-tls1_3")).contains("SSL alert number 45").doesNotContain("hello from backend");
    assertThat(sClient(web, "-tls1_2")).contains("SSL alert number 45");
    assertThat(inbound.backend.requests.get()).isZero();
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
    assertThat(inbound.backend.requests.get()).isZero();
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
