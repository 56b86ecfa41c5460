package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.trustmesh.core.BadInputException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 6: a sidecar whose only upstream is SIMPLE starts without any identity (no source
 * at all) and reaches an {@code openssl s_server} that asks for no client certificate; MUTUAL and
 * inbound mTLS still refuse to start without one, and plaintext is said in {@link Sidecar#notes()}.
 */
class SimpleTlsWithoutIdentityTest {
  @TempDir Path tmp;
  Pki pki;
  Sidecar sidecar;
  Process openssl;
  int serverPort;

  @BeforeEach
  void start() throws Exception {
    pki = Pki.create("example.org");
    pki.writeForTools(pki.svid(pki.id("ns", "prod", "sa", "payments"), "payments.example.org"), tmp.resolve("server"));
    Path s = tmp.resolve("server");
    Path log = Files.createTempFile(tmp, "s_server", ".log");
    openssl = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:0", "-www",
        "-cert", s.resolve("leaf.pem").toString(), "-cert_chain", s.resolve("chain.pem").toString(),
        "-key", s.resolve("key.pem").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Pattern accept = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)");
    await().atMost(Duration.ofSeconds(10)).until(() -> accept.matcher(Files.readString(log)).find());
    Matcher m = accept.matcher(Files.readString(log));
    m.find();
    serverPort = Integer.parseInt(m.group(1));
  }

  @AfterEach
  void stop() {
    TestSidecars.stop(sidecar, null);
    Peers.destroy(openssl);
  }

  private OutboundListener upstream(OutboundTls tls) {
    return new OutboundListener("partner", TestSidecars.any(), "127.0.0.1", serverPort, tls, Optional.empty(),
        Optional.empty(), Optional.of("payments.example.org"), List.of(pki.root));
  }

  @Test
  void aSimpleUpstreamNeedsNoIdentity() throws Exception {
    sidecar = TestSidecars.start(TestSidecars.config(List.of(), List.of(upstream(OutboundTls.SIMPLE)), tmp.resolve("access.log"),
        Limits.DEFAULT), null);

    Peers.Result r = Peers.curlPlain(sidecar.address("partner").getPort());

    assertThat(r.stdout()).as(r.stderr()).contains("s_server -accept").contains("no client certificate available");
  }

  @Test
  void aMutualUpstreamStillNeedsAnIdentity() {
    assertThatThrownBy(() -> TestSidecars.start(TestSidecars.config(List.of(), List.of(upstream(OutboundTls.MUTUAL)),
        tmp.resolve("access.log"), Limits.DEFAULT), null))
        .isInstanceOf(BadInputException.class).hasMessage("a TLS listener needs an identity: give --svid-dir (or --cert/--key)");
  }

  @Test
  void plaintextListenersAreWarnedAbout() {
    OutboundListener plain = new OutboundListener("legacy", TestSidecars.any(), "127.0.0.1", serverPort,
        OutboundTls.DISABLE, Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    InboundListener metrics = TestSidecars.inbound("metrics", new InetSocketAddress("127.0.0.1", 9), InboundMode.DISABLE,
        AllowPolicy.builder().build());
    sidecar = TestSidecars.start(TestSidecars.config(List.of(metrics), List.of(plain), tmp.resolve("access.log"),
        Limits.DEFAULT), null);

    assertThat(sidecar.notes()).contains(
        "listener metrics: mode disable: plaintext, no mTLS and no authorization; whoever reaches this port reaches "
            + "127.0.0.1:9",
        "outbound legacy: tls disable: plaintext to 127.0.0.1:" + serverPort
            + ", the server is not authenticated and the traffic is not encrypted");
  }
}
