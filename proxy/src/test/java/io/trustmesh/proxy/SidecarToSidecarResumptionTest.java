package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.time.ManualClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 2: a trustmesh outbound resumes its TLS sessions to a trustmesh inbound when both
 * turn resumption on, and a resumed session never admits what a full handshake would refuse now.
 * Each attack first proves that the session does resume, then changes what a full handshake would
 * decide and connects again: the client's ID leaves the allow list, the bundle rotates its CA out,
 * the client's leaf expires (the inbound's injected clock).
 */
class SidecarToSidecarResumptionTest {
  @TempDir Path tmp;
  final ManualClock inboundClock = new ManualClock(Instant.now());
  final Pki pki = Pki.create("example.org");
  final SpiffeId web = pki.id("ns", "prod", "sa", "web");
  /** The CA the inbound's trust domain rotates to; the outbound trusts both throughout. */
  final Pki next = Pki.create("example.org");
  CountingBackend backend;
  SwappableX509Source inboundIdentity;
  FixedX509Source outboundIdentity;
  Sidecar inbound;
  Sidecar outbound;
  Path inboundLog;

  private X509BundleSet bundleOf(Pki p) {
    return X509BundleSet.of(new X509Bundle(p.td, List.of(p.root)));
  }

  @BeforeEach
  void start() throws Exception {
    backend = new CountingBackend();
    inboundLog = tmp.resolve("inbound.log");
    Resumption on = Resumption.enabled(Duration.ofMinutes(5));
    inboundIdentity = new SwappableX509Source(pki.svid(pki.id("ns", "prod", "sa", "backend"), "localhost"),
        bundleOf(pki));
    InboundListener in = TestSidecars.inbound("web", backend.address(), InboundMode.STRICT,
        AllowPolicy.builder().id(web).build());
    inbound = Sidecar.start(new SidecarConfig(List.of(in), List.of(), Optional.empty(),
        Optional.of(inboundLog.toString()), Limits.DEFAULT, on), inboundIdentity, inboundClock);
    outboundIdentity = new FixedX509Source(pki.svid(web),
        X509BundleSet.of(new X509Bundle(pki.td, List.of(pki.root, next.root))));
    OutboundListener out = new OutboundListener("backend", TestSidecars.any(), "127.0.0.1",
        inbound.address("web").getPort(), OutboundTls.MUTUAL, Optional.empty(), Optional.of(pki.td),
        Optional.empty(), List.of());
    outbound = Sidecar.start(new SidecarConfig(List.of(), List.of(out), Optional.empty(),
        Optional.of(tmp.resolve("outbound.log").toString()), Limits.DEFAULT, on), outboundIdentity,
        Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    if (outbound != null) {
      outbound.close();
    }
    if (inbound != null) {
      inbound.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private String request() throws Exception {
    return Peers.curlPlain(outbound.address("backend").getPort()).stdout();
  }

  /** The inbound's access-log line of the n-th connection (1-based), once written. */
  private JsonNode inboundLine(int n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(inboundLog).size() >= n);
    return AccessLogFile.read(inboundLog).get(n - 1);
  }

  private void resumesOnce() throws Exception {
    assertThat(request()).contains("hello from backend");
    assertThat(inboundLine(1).has("tls_resumed")).isFalse();
    assertThat(request()).contains("hello from backend");
    JsonNode second = inboundLine(2);
    assertThat(second.get("result").asText()).isEqualTo("ok");
    assertThat(second.path("tls_resumed").asBoolean()).as("the second connection resumed: %s", second).isTrue();
    assertThat(second.get("peer_spiffe_id").asText()).isEqualTo(web.toString());
  }

  @Test
  void theOutboundResumesItsSessionToTheInbound() throws Exception {
    resumesOnce();
    assertThat(backend.requests.get()).isEqualTo(2);
  }

  @Test
  void aResumedSessionIsRefusedOnceTheClientsIdLeftTheAllowList() throws Exception {
    resumesOnce();
    inbound.updateAllowPolicy("web", AllowPolicy.builder().id(pki.id("ns", "prod", "sa", "other")).build());

    assertThat(request()).doesNotContain("hello from backend");

    JsonNode third = inboundLine(3);
    assertThat(third.get("result").asText()).isEqualTo("denied");
    assertThat(third.get("reason").asText()).isEqualTo("peer_not_allowed");
    assertThat(third.path("tls_resumed").asBoolean()).as("refused by the re-check of a resumed session").isTrue();
    assertThat(backend.requests.get()).isEqualTo(2);
  }

  @Test
  void aSessionIsRefusedOnceTheBundleRotatedTheClientsCaOut() throws Exception {
    resumesOnce();
    // the inbound's trust domain moved to the next CA, and the client's old CA left its bundle
    inboundIdentity.update(next.svid(pki.id("ns", "prod", "sa", "backend"), "localhost"), bundleOf(next));

    assertThat(request()).doesNotContain("hello from backend");

    JsonNode third = inboundLine(3);
    assertThat(third.get("result").asText()).isEqualTo("handshake_failed");
    assertThat(third.get("reason").asText()).isEqualTo("peer_unknown_authority");
    assertThat(backend.requests.get()).isEqualTo(2);
  }

  @Test
  void aResumedSessionIsRefusedOnceTheClientsLeafExpired() throws Exception {
    resumesOnce();
    inboundClock.advance(Duration.ofHours(2)); // the client's SVID (1 h) has expired, for the inbound

    assertThat(request()).doesNotContain("hello from backend");

    JsonNode third = inboundLine(3);
    assertThat(third.get("result").asText()).isEqualTo("handshake_failed");
    assertThat(third.get("reason").asText()).isEqualTo("peer_cert_expired");
    assertThat(third.path("tls_resumed").asBoolean()).as("refused by the re-check of a resumed session").isTrue();
    assertThat(backend.requests.get()).isEqualTo(2);
  }
}
