package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.grpc.UnixSockets;
import io.trustmesh.api.workload.WorkloadApi;
import io.trustmesh.api.workload.proto.SpiffeWorkloadAPIGrpc;
import io.trustmesh.api.workload.proto.X509SVIDRequest;
import io.trustmesh.api.workload.proto.X509SVIDResponse;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 5, as a workload sees it: the agent serves renewed SVIDs from memory before (and
 * whether or not) its cache is written, writes the cache afterwards in one atomic file, and a
 * restarted agent serves the last complete cache, never a torn one, with the keys 0600.
 */
class AgentServesRenewalsBeforeItsCacheTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();

  @TempDir Path dir;

  @Test
  void aRenewedSvidReachesTheStreamWhileTheCacheCannotBeWrittenAndARestartServesTheLastWholeCache()
      throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + UID);
      cp.entry("spiffe://example.org/other", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + (UID + 4242));
      AgentConfig config = cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID)));
      TrustmeshAgent agent = cp.startAgent(config);
      Path cache = config.dataDir.resolve("workloads.bin");
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.isRegularFile(cache)
          && agent.snapshot().svids().size() == 2);

      AtomicReference<X509SVIDResponse> latest = new AtomicReference<>();
      ManagedChannel ch = UnixSockets.channel(agent.socketPath());
      try {
        Metadata h = new Metadata();
        h.put(WorkloadApi.SECURITY_HEADER, "true");
        SpiffeWorkloadAPIGrpc.newStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
            .fetchX509SVID(X509SVIDRequest.getDefaultInstance(), new StreamObserver<>() {
              @Override
              public void onNext(X509SVIDResponse r) {
                latest.set(r);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
        await().atMost(Duration.ofSeconds(20)).until(() -> latest.get() != null);
        BigInteger first = serial(latest.get());

        // The cache cannot be written: a directory (not empty) stands where the file is renamed to.
        Files.delete(cache);
        Files.createDirectories(cache.resolve("in-the-way"));
        try (AdminClient admin = cp.admin()) {
          admin.rotate(false, true, Duration.ZERO); // re-issue every SVID at the agents' next sync
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !serial(latest.get()).equals(first));
        assertThat(cache).as("the renewal was served although the cache write failed").isDirectory();

        // The write is tried again with the next sync once it can succeed.
        try (Stream<Path> s = Files.walk(cache)) {
          s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.isRegularFile(cache));
      } finally {
        ch.shutdownNow();
      }
      BigInteger served = serial(latest.get());
      await().atMost(Duration.ofSeconds(20)).until(() -> cached(cache, served));
      cp.agents.remove(agent);
      agent.close();
      cp.stopServer();

      // A crash in the middle of the next write leaves its temporary half-written beside the file.
      byte[] whole = Files.readAllBytes(cache);
      Files.write(cache.resolveSibling(".workloads.bin.tmp-crashed"), Arrays.copyOf(whole, whole.length / 2));

      TrustmeshAgent restarted = cp.startAgent(config); // the server is down: it serves from the cache
      X509SVIDResponse r = Workloads.fetchOnce(restarted.socketPath(), true);
      assertThat(r.getSvids(0).getSpiffeId()).isEqualTo("spiffe://example.org/web");
      assertThat(serial(r)).as("the last SVID served before the restart").isEqualTo(served);
      assertThat(restarted.snapshot().svids()).hasSize(2);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-------");
      assertThat(config.dataDir.resolve("corrupt")).doesNotExist();
    }
  }

  /** Whether the cache file holds the SVID with {@code serial} (its DER bytes are in the file). */
  private static boolean cached(Path cache, BigInteger serial) throws Exception {
    return Files.isRegularFile(cache) && contains(Files.readAllBytes(cache), serial.toByteArray());
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static BigInteger serial(X509SVIDResponse r) throws Exception {
    X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(r.getSvids(0).getX509Svid().toByteArray())).iterator().next();
    return leaf.getSerialNumber();
  }
}
