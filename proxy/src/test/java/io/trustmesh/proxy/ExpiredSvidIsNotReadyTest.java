package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.trustmesh.api.x509.FileX509Source;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY.md I.1: when the control plane stays away longer than the SVID lives, the sidecar
 * must not keep serving an expired identity silently: {@code /ready} turns 503 and says why, and
 * the expiry metric has said when all along.
 */
class ExpiredSvidIsNotReadyTest {
  @TempDir Path tmp;
  HttpServer backend;
  FileX509Source source;
  Sidecar sidecar;

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, source);
    Peers.stop(backend);
  }

  private Peers.Result admin(String path) throws Exception {
    return Peers.run(List.of("curl", "-sS", "-w", "\n%{http_code}",
        "http://127.0.0.1:" + sidecar.adminAddress().orElseThrow().getPort() + path));
  }

  @Test
  void readinessTurnsFalseWhenTheSvidExpiresAndSaysWhy() throws Exception {
    Pki pki = Pki.create("example.org");
    X509Svid svid = pki.svid(pki.id("ns", "prod", "sa", "backend"), Clock.systemUTC(), Duration.ofMinutes(10));
    pki.write(svid, tmp.resolve("server"));
    backend = Peers.backend();
    source = TestSidecars.source(tmp.resolve("server"));
    ManualClock clock = new ManualClock(Instant.now());
    sidecar = Sidecar.start(TestSidecars.config(List.of(TestSidecars.inbound("web", backend.getAddress(),
        InboundMode.STRICT, AllowPolicy.builder().trustDomain(pki.td).build())), List.of(),
        tmp.resolve("access.log"), Limits.DEFAULT), source, clock);
    Instant notAfter = svid.leaf().getNotAfter().toInstant();

    assertThat(admin("/ready").stdout()).contains("\"ready\":true").endsWith("200");
    assertThat(admin("/metrics").stdout())
        .contains("trustmesh_proxy_svid_expiry_timestamp_seconds " + (double) notAfter.getEpochSecond());

    clock.set(notAfter.plusSeconds(1)); // nobody renewed it

    Peers.Result ready = admin("/ready");
    assertThat(ready.stdout()).endsWith("503").contains("\"ready\":false")
        .contains("the SVID spiffe://example.org/ns/prod/sa/backend expired at " + notAfter);
    assertThat(admin("/healthz").stdout()).as("alive, just not ready").endsWith("200");
  }
}
