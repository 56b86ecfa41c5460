package io.trustmesh.proxy;

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

/**
 * The refusal tests' sidecar: a STRICT inbound listener {@code web} for
 * {@code spiffe://example.org/ns/prod/sa/backend} (SVID for {@code localhost}) in front of a
 * {@link CountingBackend}, admitting only {@code .../sa/web}, on a {@link ManualClock} so a test can
 * make a client certificate expire; and the openssl {@code s_client} that plays the peer.
 *
 * <pre>{@code
 * try (StrictInbound in = StrictInbound.start(pki, tmp)) {
 *   String out = in.sClient(in.client(pki, "web", Duration.ofHours(1)), "-tls1_3");
 * }
 * }</pre>
 */
final class StrictInbound implements AutoCloseable {
  final Pki pki;
  final ManualClock clock;
  final CountingBackend backend;
  final Path accessLog;
  final Sidecar sidecar;
  private final Path tmp;

  private StrictInbound(Pki pki, Path tmp, ManualClock clock, CountingBackend backend, Path accessLog,
      Sidecar sidecar) {
    this.pki = pki;
    this.tmp = tmp;
    this.clock = clock;
    this.backend = backend;
    this.accessLog = accessLog;
    this.sidecar = sidecar;
  }

  /** Starts the backend and the sidecar, which logs to {@code tmp/access.log}. */
  static StrictInbound start(Pki pki, Path tmp) throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    CountingBackend backend = new CountingBackend();
    try {
      Path accessLog = tmp.resolve("access.log");
      X509Svid svid = pki.svid(pki.id("ns", "prod", "sa", "backend"), "localhost");
      InboundListener in = TestSidecars.inbound("web", backend.address(), InboundMode.STRICT,
          AllowPolicy.builder().id(pki.id("ns", "prod", "sa", "web")).build());
      Sidecar sidecar = Sidecar.start(TestSidecars.config(List.of(in), List.of(), accessLog, Limits.DEFAULT),
          new FixedX509Source(svid, X509BundleSet.of(new X509Bundle(pki.td, List.of(pki.root)))), clock);
      return new StrictInbound(pki, tmp, clock, backend, accessLog, sidecar);
    } catch (Exception | Error e) {
      backend.close();
      throw e;
    }
  }

  /** An SVID for {@code .../sa/NAME} from {@code issuer}, written for openssl (leaf, chain, key). */
  Path client(Pki issuer, String name, Duration ttl) throws Exception {
    return issuer.writeForTools(issuer.svid(issuer.id("ns", "prod", "sa", name), Clock.systemUTC(), ttl),
        tmp.resolve(name + "-" + System.identityHashCode(issuer)));
  }

  /**
   * What {@code openssl s_client VERSION} prints when it connects with {@code client}'s certificate
   * (none when null) and sends one HTTP request.
   */
  String sClient(Path client, String version) throws Exception {
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

  @Override
  public void close() {
    sidecar.close();
    backend.close();
  }
}
