import com.sun.security.auth.module.UnixSystem;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.grpc.UnixSockets;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.api.workload.WorkloadApi;
import io.trustmesh.api.workload.proto.SpiffeWorkloadAPIGrpc;
import io.trustmesh.api.workload.proto.X509SVIDRequest;
import io.trustmesh.api.workload.proto.X509SVIDResponse;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import io.trustmesh.server.ServerConfig;
import io.trustmesh.server.TrustmeshServer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Fan-out after a signing-CA rotation (issue 14 item 5): one server and one agent on a shared
 * {@link ManualClock}, 1,000 Workload API streams held open on the agent, 1,001 entries (1,000 for
 * other uids, so the agent renews 1,001 SVIDs each time, and one for this process, which every
 * stream is entitled to). The clock is stepped past each SVID half-life until the signing CA's
 * successor is prepared (published in the bundle) and then activated (signing); at every step the
 * server applies its schedule ({@code rotate()}, the production rotation path) and the agent syncs
 * at once ({@code syncNow()}, standing in for the push a forced rotation would send). Measured per
 * step: from the sync's start until the last of the 1,000 streams has received the new SVID (and,
 * from the prepare step on, the new bundle).
 *
 * <p>Approximations, said where the figures are quoted: there is no forced-rotation RPC on this
 * branch (the schedule is driven by the clock instead), and the 1,000 streams all belong to this
 * process (one uid), so they carry the same SVID; the agent still signs 1,001 SVIDs per step.
 */
final class RotationFanOut {
  static final int STREAMS = 1000;
  static final int PER_CHANNEL = 50;

  private RotationFanOut() {}

  static void run(String datastore) throws Exception {
    Path dir = Files.createTempDirectory("trustmesh-bench-fanout");
    ManualClock clock = new ManualClock(Instant.now());
    ServerConfig sc = new ServerConfig();
    sc.trustDomain = ControlPlaneBench.TD;
    sc.dataDir = dir.resolve("server");
    sc.datastore = datastore;
    sc.listen = "127.0.0.1:0";
    sc.admin = "127.0.0.1:0";
    sc.adminSocket = dir.resolve("admin.sock");
    sc.keyManager = "memory";
    sc.caTtl = Duration.ofMinutes(12);
    sc.svidTtl = Duration.ofMinutes(2);
    sc.clock = clock;
    List<ManagedChannel> channels = new ArrayList<>();
    boolean[] closing = {false};
    try (TrustmeshServer server = TrustmeshServer.start(sc)) {
      Path trust = dir.resolve("bundle.pem");
      AtomicFiles.write(trust, Pem.encodeCertificates(server.authority().bundle()), false);
      String agentId = "spiffe://example.org/agent/fanout";
      String self = "spiffe://example.org/fanout/self";
      AgentConfig ac = new AgentConfig();
      ac.server = "127.0.0.1:" + server.nodeAddress().getPort();
      ac.trustBundle = trust;
      try (AdminClient admin = AdminClient.connect(sc.adminSocket)) {
        ac.joinToken = Optional.of(admin.createJoinToken(agentId, Duration.ofMinutes(10)).getToken());
        for (int i = 0; i < STREAMS; i++) {
          admin.createEntry(Entry.newBuilder().setSpiffeId("spiffe://example.org/fanout/" + i).setParentId(agentId)
              .addSelectors("unix:uid:" + (20000 + i)).setTtlSeconds(120).build());
        }
        admin.createEntry(Entry.newBuilder().setSpiffeId(self).setParentId(agentId)
            .addSelectors("unix:uid:" + new UnixSystem().getUid()).setTtlSeconds(120).build());
      }
      ac.dataDir = dir.resolve("agent");
      ac.socket = "unix://" + dir.resolve("agent.sock");
      ac.clock = clock;
      ac.syncInterval = Duration.ofHours(1); // every sync below is driven by the benchmark
      try (TrustmeshAgent agent = TrustmeshAgent.start(ac)) {
        agent.syncNow();
        AtomicReferenceArray<X509SVIDResponse> latest = new AtomicReferenceArray<>(STREAMS);
        Metadata h = new Metadata();
        h.put(WorkloadApi.SECURITY_HEADER, "true");
        for (int i = 0; i < STREAMS; i++) {
          if (i % PER_CHANNEL == 0) {
            channels.add(UnixSockets.channel(agent.socketPath()));
          }
          int slot = i;
          SpiffeWorkloadAPIGrpc.newStub(channels.get(channels.size() - 1))
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
              .fetchX509SVID(X509SVIDRequest.getDefaultInstance(), new StreamObserver<>() {
                @Override
                public void onNext(X509SVIDResponse r) {
                  latest.set(slot, r);
                }

                @Override
                public void onError(Throwable t) {
                  if (!closing[0]) {
                    System.out.println("stream " + slot + " failed: " + t);
                  }
                }

                @Override
                public void onCompleted() {}
              });
        }
        waitAll(latest, serialOf(agent, self), -1);
        System.out.printf("fan-out: %d Workload API streams open on one agent (%d connections), %d entries%n",
            STREAMS, channels.size(), STREAMS + 1);
        long sequence = server.authority().bundleSequence();
        X509Certificate signer = server.authority().active().certificate();
        for (int step = 1; step <= 12; step++) {
          clock.advance(Duration.ofSeconds(75)); // past every SVID's half-life (+ jitter), within its life
          server.tick(); // the schedule (and the server's own SVID), as its 1 s tick would
          boolean bundleChanged = server.authority().bundleSequence() != sequence;
          boolean activated = !server.authority().active().certificate().equals(signer);
          sequence = server.authority().bundleSequence();
          signer = server.authority().active().certificate();
          long start = System.nanoTime();
          agent.syncNow();
          long synced = System.nanoTime();
          BigInteger serial = serialOf(agent, self);
          int bundleSize = agent.snapshot().bundle().size();
          waitAll(latest, serial, bundleSize);
          long done = System.nanoTime();
          System.out.printf("step %2d (+%3d s)%s: agent sync (1,001 SVIDs renewed) %.2f s; all %d streams had the new"
              + " SVID%s %.2f s after the sync started%n", step, step * 75,
              activated ? " CA ACTIVATED" : bundleChanged ? " CA PREPARED (bundle changed)" : "",
              (synced - start) / 1e9, STREAMS, bundleChanged ? " and bundle" : "", (done - start) / 1e9);
          if (activated) {
            X509Certificate leaf = leaf(latest.get(0));
            System.out.println("  new SVIDs are signed by the new CA: "
                + leaf.getIssuerX500Principal().equals(signer.getSubjectX500Principal()));
            break;
          }
        }
        closing[0] = true; // the streams end with the agent: not a failure worth printing
        channels.forEach(ManagedChannel::shutdownNow);
      }
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  private static BigInteger serialOf(TrustmeshAgent agent, String spiffeId) {
    for (X509Svid s : agent.snapshot().svids().values()) {
      if (s.spiffeId().toString().equals(spiffeId)) {
        return s.leaf().getSerialNumber();
      }
    }
    throw new IllegalStateException("the agent holds no SVID for " + spiffeId);
  }

  /** Waits (at most 60 s) until every stream's latest answer carries {@code serial} (and a bundle of {@code bundleSize}). */
  private static void waitAll(AtomicReferenceArray<X509SVIDResponse> latest, BigInteger serial, int bundleSize)
      throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    for (int i = 0; i < latest.length(); ) {
      X509SVIDResponse r = latest.get(i);
      if (r != null && leaf(r).getSerialNumber().equals(serial)
          && (bundleSize < 0 || certificates(r.getSvids(0).getBundle().toByteArray()).size() == bundleSize)) {
        i++;
        continue;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("stream " + i + " did not receive the update within 60 s");
      }
      Thread.sleep(1);
    }
  }

  private static X509Certificate leaf(X509SVIDResponse r) throws Exception {
    return certificates(r.getSvids(0).getX509Svid().toByteArray()).get(0);
  }

  private static List<X509Certificate> certificates(byte[] der) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(der))) {
      out.add((X509Certificate) c);
    }
    return out;
  }
}
