package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.TlsDefaults;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signing CA rotation with an injected clock (CA TTL 60h: prepared at 30h, active at 50h): a
 * client that fetched its bundle before the new CA took over still completes a handshake with a
 * server holding an SVID from the new CA, because the new CA was already in that bundle; and a
 * bundle from before the preparation would not have worked (the overlap is what makes it work).
 */
class CaRotationOverlapTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  @TempDir Path dir;

  @Test
  void clientWithThePreActivationBundleTrustsTheNewCa() throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    Instant t0 = clock.instant();
    try (ControlPlane cp = new ControlPlane(dir).clock(clock)) {
      cp.serverConfig.caTtl = Duration.ofHours(60);
      cp.serverConfig.svidTtl = Duration.ofHours(10);
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + UID);
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("agent", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());
      List<X509Certificate> bundleBeforePrepare = agent.snapshot().bundle();
      X509Certificate oldRoot = bundleBeforePrepare.get(0);
      assertThat(bundleBeforePrepare).hasSize(1);
      // A workload watching FetchX509Bundles gets a full update when the bundle changes.
      java.util.concurrent.BlockingQueue<io.trustmesh.api.workload.proto.X509BundlesResponse> pushed =
          new java.util.concurrent.LinkedBlockingQueue<>();
      io.grpc.ManagedChannel watch = io.trustmesh.api.grpc.UnixSockets.channel(agent.socketPath());
      io.grpc.Metadata h = new io.grpc.Metadata();
      h.put(io.trustmesh.api.workload.WorkloadApi.SECURITY_HEADER, "true");
      io.trustmesh.api.workload.proto.SpiffeWorkloadAPIGrpc.newStub(watch)
          .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(h))
          .fetchX509Bundles(io.trustmesh.api.workload.proto.X509BundlesRequest.getDefaultInstance(),
              new io.grpc.stub.StreamObserver<>() {
                @Override
                public void onNext(io.trustmesh.api.workload.proto.X509BundlesResponse r) {
                  pushed.add(r);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
              });
      assertThat(io.trustmesh.api.grpc.Der.certificates(pushed.poll(10, java.util.concurrent.TimeUnit.SECONDS)
          .getBundlesOrThrow("spiffe://example.org"))).containsExactly(oldRoot);

      // 31h: the successor is prepared and published; the old CA still signs.
      stepTo(t0.plus(Duration.ofHours(31)), clock, cp, agent);
      List<X509Certificate> bundleBeforeActivation = agent.snapshot().bundle();
      assertThat(bundleBeforeActivation).hasSize(2).contains(oldRoot);
      X509Certificate newRoot = bundleBeforeActivation.stream().filter(c -> !c.equals(oldRoot)).findFirst().orElseThrow();
      assertThat(io.trustmesh.api.grpc.Der.certificates(pushed.poll(10, java.util.concurrent.TimeUnit.SECONDS)
          .getBundlesOrThrow("spiffe://example.org"))).as("pushed on the stream").containsExactlyInAnyOrder(oldRoot, newRoot);
      watch.shutdownNow();
      assertThat(signedBy(svid(agent), oldRoot)).isTrue();
      // The JWT keys rotate with the CAs: the successor's key is published now, the old one signs.
      String oldKid = kid(jwtSvid(agent));
      assertThat(jwtKids(agent)).hasSize(2).contains(oldKid);

      // 49h: the last SVIDs of the old CA.
      stepTo(t0.plus(Duration.ofHours(49)), clock, cp, agent);
      X509Svid lastOld = svid(agent);
      assertThat(signedBy(lastOld, oldRoot)).isTrue();

      // From 50h the successor signs: the workload's next renewal comes from it.
      stepTo(t0.plus(Duration.ofHours(50)), clock, cp, agent);
      for (int i = 0; i < 12 && !signedBy(svid(agent), newRoot); i++) {
        stepTo(clock.instant().plus(Duration.ofHours(1)), clock, cp, agent);
      }
      X509Svid newSvid = svid(agent);
      assertThat(signedBy(newSvid, newRoot)).isTrue();
      String newToken = jwtSvid(agent);
      assertThat(kid(newToken)).as("JWT-SVIDs now signed by the new CA's key").isNotEqualTo(oldKid)
          .isIn(jwtKids(agent));
      assertThat(io.trustmesh.api.jwt.JwtSvids.validate(newToken, "billing", agent.snapshot().jwks(), clock.instant())
          .subject()).isEqualTo("spiffe://example.org/web");
      assertThat(clock.instant()).isBefore(lastOld.leaf().getNotAfter().toInstant());

      // The overlap: a client holding the pre-activation bundle accepts the new SVID...
      assertThat(handshake(newSvid, lastOld, bundleBeforeActivation, clock)).isEqualTo("pong");
      // ...and a server with the current bundle still accepts a client with an SVID of the old CA.
      assertThat(handshake(lastOld, newSvid, agent.snapshot().bundle(), clock)).isEqualTo("pong");
      // Without the overlap (a bundle from before the preparation) the handshake fails.
      assertThatThrownBy(() -> handshake(newSvid, lastOld, bundleBeforePrepare, clock)).isInstanceOf(Exception.class);

      // Once every SVID of the old CA has expired (at the latest with the old CA, at 60h), it leaves the
      // bundle (by then the successor's own successor has been prepared: it was created at 30h).
      stepTo(t0.plus(Duration.ofHours(60).plusMinutes(30)), clock, cp, agent);
      assertThat(agent.snapshot().bundle()).contains(newRoot).doesNotContain(oldRoot);
      assertThat(jwtKids(agent)).as("the old CA's JWT key left with it").doesNotContain(oldKid);
    }
  }

  /** A JWT-SVID for audience "billing" from the agent's Workload API. */
  private static String jwtSvid(TrustmeshAgent agent) {
    io.grpc.ManagedChannel ch = io.trustmesh.api.grpc.UnixSockets.channel(agent.socketPath());
    try {
      io.grpc.Metadata h = new io.grpc.Metadata();
      h.put(io.trustmesh.api.workload.WorkloadApi.SECURITY_HEADER, "true");
      return io.trustmesh.api.workload.proto.SpiffeWorkloadAPIGrpc.newBlockingStub(ch)
          .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(h))
          .fetchJWTSVID(io.trustmesh.api.workload.proto.JWTSVIDRequest.newBuilder().addAudience("billing").build())
          .getSvids(0).getSvid();
    } finally {
      ch.shutdownNow();
    }
  }

  private static String kid(String token) {
    String header = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[0]),
        java.nio.charset.StandardCharsets.UTF_8);
    return header.replaceAll(".*\"kid\":\"([0-9a-f]+)\".*", "$1");
  }

  private static java.util.Set<String> jwtKids(TrustmeshAgent agent) {
    return io.trustmesh.api.jwt.JwtSvids.keys(agent.snapshot().jwks()).keySet();
  }

  /** Moves the clock in steps of at most an hour, letting the server and the agent act at each step. */
  private static void stepTo(Instant target, ManualClock clock, ControlPlane cp, TrustmeshAgent agent) {
    while (clock.instant().isBefore(target)) {
      Duration left = Duration.between(clock.instant(), target);
      clock.advance(left.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : left);
      cp.server.tick();
      agent.syncNow();
    }
  }

  private static X509Svid svid(TrustmeshAgent agent) {
    return agent.snapshot().svids().values().iterator().next();
  }

  /** Whether {@code root} signed the SVID: the signature, not the name, proves the issuer. */
  private static boolean signedBy(X509Svid s, X509Certificate root) {
    try {
      s.leaf().verify(root.getPublicKey());
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * A mutual TLS handshake over loopback: the server presents {@code serverSvid}, the client
   * {@code clientSvid}; both verify the peer against {@code bundle} at the test clock's time.
   */
  static String handshake(X509Svid serverSvid, X509Svid clientSvid, List<X509Certificate> bundle,
      java.time.Clock clock) throws Exception {
    X509BundleSet set = X509BundleSet.of(new X509Bundle(ControlPlane.TD, bundle));
    TrustManager[] tm = {new SpiffeTrustManager(() -> set, SpiffeTrustManager.Authorizer.allowAny(), clock)};
    SSLContext serverCtx = SSLContext.getInstance("TLS");
    serverCtx.init(TlsDefaults.keyManagers(serverSvid), tm, null);
    SSLContext clientCtx = SSLContext.getInstance("TLS");
    clientCtx.init(TlsDefaults.keyManagers(clientSvid), tm, null);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (SSLServerSocket ss = (SSLServerSocket) serverCtx.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ss.setNeedClientAuth(true);
      Future<?> served = pool.submit(() -> {
        try (SSLSocket s = (SSLSocket) ss.accept()) {
          InputStream in = s.getInputStream();
          in.read(new byte[4]);
          OutputStream out = s.getOutputStream();
          out.write("pong".getBytes());
          out.flush();
        }
        return null;
      });
      try (SSLSocket c = (SSLSocket) clientCtx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
          ss.getLocalPort())) {
        c.setSoTimeout(10_000);
        c.getOutputStream().write("ping".getBytes());
        c.getOutputStream().flush();
        byte[] buf = c.getInputStream().readNBytes(4);
        served.get(10, TimeUnit.SECONDS);
        return new String(buf);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
