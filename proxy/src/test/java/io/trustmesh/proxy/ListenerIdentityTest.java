package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 3, the node shape: one sidecar serving two workloads' listeners, each presenting
 * its own SVID instead of the node's. A client that expects the web workload's ID cannot complete a
 * handshake with the api listener (and the other way round); the frontend, allowed by web's policy
 * and not by api's, is refused on api; the outbound of the web workload presents web's SVID, which
 * only api's policy admits; a rotation of one workload's SVID changes that listener alone.
 */
class ListenerIdentityTest {
  @TempDir static Path tmp;
  static final Pki PKI = Pki.create("example.org");
  static final SpiffeId NODE = PKI.id("node");
  static final SpiffeId WEB = PKI.id("web");
  static final SpiffeId API = PKI.id("api");
  static final SpiffeId FRONTEND = PKI.id("frontend");
  static X509BundleSet bundles;
  static CountingBackend backend;
  static SwappableX509Source apiIdentity;
  static Sidecar sidecar;

  @BeforeAll
  static void start() throws Exception {
    bundles = X509BundleSet.of(new X509Bundle(PKI.td, List.of(PKI.root)));
    backend = new CountingBackend();
    apiIdentity = new SwappableX509Source(PKI.svid(API), bundles);
    InboundListener web = TestSidecars.inbound("web", backend.address(), InboundMode.STRICT,
        AllowPolicy.builder().id(FRONTEND).build());
    InboundListener api = TestSidecars.inbound("api", backend.address(), InboundMode.STRICT,
        AllowPolicy.builder().id(WEB).build());
    SidecarConfig first = new SidecarConfig(List.of(web, api), List.of(), Optional.empty(),
        Optional.of(tmp.resolve("access.log").toString()), Limits.DEFAULT);
    // the api listener's port is known only once bound: a second sidecar holds the outbound
    sidecar = Sidecar.start(first, new FixedX509Source(PKI.svid(NODE), bundles),
        Map.of("web", new FixedX509Source(PKI.svid(WEB), bundles), "api", apiIdentity), Clock.systemUTC(),
        AdminLimits.DEFAULT);
  }

  @AfterAll
  static void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private static MtlsClient frontendExpecting(SpiffeId server) throws Exception {
    return new MtlsClient(PKI.svid(FRONTEND), PKI.root, server);
  }

  @Test
  void eachListenerPresentsItsOwnSvidAndAppliesItsOwnPolicy() throws Exception {
    int web = sidecar.address("web").getPort();
    int api = sidecar.address("api").getPort();
    try (MtlsClient.Conn c = frontendExpecting(WEB).new Conn(web)) {
      assertThat(c.get()).isEqualTo("hello from backend\n");
    }
    // a client that expects web's ID does not accept what the api listener presents, and vice versa
    assertThatThrownBy(() -> frontendExpecting(WEB).new Conn(api).close()).hasMessageContaining(API.toString());
    assertThatThrownBy(() -> frontendExpecting(API).new Conn(web).close()).hasMessageContaining(WEB.toString());
    // api presents api's SVID, but its policy allows web only: the frontend gets nothing
    int before = backend.requests.get();
    assertThatThrownBy(() -> {
      try (MtlsClient.Conn c = frontendExpecting(API).new Conn(api)) {
        c.get();
      }
    });
    assertThat(backend.requests.get()).isEqualTo(before);
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(tmp.resolve("access.log")).stream()
        .anyMatch(l -> l.path("listener").asText().equals("api") && l.path("result").asText().equals("denied")
            && l.path("peer_spiffe_id").asText().equals(FRONTEND.toString())
            && l.path("local_spiffe_id").asText().equals(API.toString())));
  }

  @Test
  void anOutboundPresentsItsListenersIdentity() throws Exception {
    int api = sidecar.address("api").getPort();
    OutboundListener asWeb = new OutboundListener("call-api", TestSidecars.any(), "127.0.0.1", api,
        OutboundTls.MUTUAL, Optional.of(API), Optional.empty(), Optional.empty(), List.of());
    OutboundListener asNode = new OutboundListener("call-api-as-node", TestSidecars.any(), "127.0.0.1", api,
        OutboundTls.MUTUAL, Optional.of(API), Optional.empty(), Optional.empty(), List.of());
    try (Sidecar out = Sidecar.start(new SidecarConfig(List.of(), List.of(asWeb, asNode), Optional.empty(),
        Optional.empty(), Limits.DEFAULT), new FixedX509Source(PKI.svid(NODE), bundles),
        Map.of("call-api", new FixedX509Source(PKI.svid(WEB), bundles)), Clock.systemUTC(), AdminLimits.DEFAULT)) {
      assertThat(plainGet(out.address("call-api").getPort())).contains("hello from backend");
      // the same upstream with the node's SVID: api's policy (web only) refuses it
      assertThat(plainGet(out.address("call-api-as-node").getPort())).doesNotContain("hello from backend");
    }
  }

  @Test
  void aRotationOfOneListenersSvidChangesThatListenerAlone() throws Exception {
    int web = sidecar.address("web").getPort();
    int api = sidecar.address("api").getPort();
    String webSerial;
    String apiSerial;
    try (MtlsClient.Conn c = frontendExpecting(WEB).new Conn(web)) {
      webSerial = c.serverSerial();
    }
    try (MtlsClient.Conn c = frontendExpecting(API).new Conn(api)) {
      apiSerial = c.serverSerial();
    }
    X509Svid rotated = PKI.svid(API);
    apiIdentity.update(rotated, bundles);
    try (MtlsClient.Conn c = frontendExpecting(API).new Conn(api)) {
      assertThat(c.serverSerial()).isEqualTo(rotated.leaf().getSerialNumber().toString(16)).isNotEqualTo(apiSerial);
    }
    try (MtlsClient.Conn c = frontendExpecting(WEB).new Conn(web)) {
      assertThat(c.serverSerial()).isEqualTo(webSerial);
    }
  }

  @Test
  void aBrokenFileOfOneListenersIdentityKeepsEveryListenersLastGoodSvid() throws Exception {
    X509Svid webFirst = PKI.svid(WEB);
    Path webDir = tmp.resolve("web-svid");
    PKI.writeForTools(webFirst, webDir);
    java.util.concurrent.atomic.AtomicReference<Sidecar> ref = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (io.trustmesh.api.x509.FileX509Source webFiles = io.trustmesh.api.x509.FileX509Source.watchDirectory(webDir,
        Duration.ofSeconds(1), msg -> {
          failures.add(msg);
          if (ref.get() != null) {
            ref.get().reportReloadFailure(msg);
          }
        })) {
      InboundListener web = TestSidecars.inbound("web", backend.address(), InboundMode.STRICT,
          AllowPolicy.builder().id(FRONTEND).build());
      InboundListener node = TestSidecars.inbound("node", backend.address(), InboundMode.STRICT,
          AllowPolicy.builder().id(FRONTEND).build());
      try (Sidecar s = Sidecar.start(new SidecarConfig(List.of(web, node), List.of(), Optional.empty(),
          Optional.empty(), Limits.DEFAULT), new FixedX509Source(PKI.svid(NODE), bundles), Map.of("web", webFiles),
          Clock.systemUTC(), AdminLimits.DEFAULT)) {
        ref.set(s);
        java.nio.file.Files.writeString(webDir.resolve("svid.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n"
            + "-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        await().atMost(Duration.ofSeconds(10)).until(() -> !failures.isEmpty());
        try (MtlsClient.Conn c = frontendExpecting(WEB).new Conn(s.address("web").getPort())) {
          assertThat(c.serverSerial()).isEqualTo(webFirst.leaf().getSerialNumber().toString(16));
          assertThat(c.get()).isEqualTo("hello from backend\n");
        }
        try (MtlsClient.Conn c = frontendExpecting(NODE).new Conn(s.address("node").getPort())) {
          assertThat(c.get()).isEqualTo("hello from backend\n");
        }
      }
    }
  }

  /** One HTTP/1.0 GET through a plaintext outbound port; whatever came back (empty when the upstream refused us). */
  private static String plainGet(int port) throws Exception {
    try (Socket s = new Socket(Peers.LOOPBACK, port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.0\r\nHost: api\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.net.SocketException e) {
      return "";
    }
  }
}
