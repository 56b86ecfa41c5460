package io.trustmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.trustmesh.api.workload.proto.X509SVIDRequest;
import io.trustmesh.api.workload.proto.X509SVIDResponse;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A workload already holding a FetchX509SVID stream must get every later change, also one that
 * lands while its stream is being set up: here partner.org's federated bundle arrives (a
 * federation created by the operator) just after the stream read the agent's state for its first
 * answer. The agent runs its update listeners on its sync thread, as it does in production.
 *
 * <p>Before the fix the stream subscribed to updates only after sending its first answer, so this
 * update was lost until the next change (half an SVID lifetime later): the workload saw the
 * federated bundle only after about 30 s with 60 s SVIDs.
 */
class WorkloadApiStreamMissesNoUpdateTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final Set<String> SELECTORS = Set.of("unix:uid:1000");
  final Clock clock = Clock.systemUTC();

  @Test
  void aFederatedBundleArrivingWhileTheStreamStartsIsSent() throws Exception {
    IssuedCertificate root = Issuance.root(TD).clock(clock).selfSigned();
    CertificateAuthority ca = CertificateAuthority.of(root.chain(), root.keyPair().orElseThrow().getPrivate());
    IssuedCertificate leaf = Issuance.workload(SpiffeId.parse("spiffe://example.org/web")).ttl(Duration.ofMinutes(1))
        .clock(clock).signedBy(ca);
    X509Svid svid = X509Svid.of(leaf.chain(), leaf.keyPair().orElseThrow().getPrivate(), "test");
    X509Certificate partnerRoot = Issuance.root(TrustDomain.parse("partner.org")).clock(clock).selfSigned()
        .chain().get(0);
    Registration entry = new Registration("e1", "spiffe://example.org/web", List.of("unix:uid:1000"), "",
        List.of("partner.org"));
    Snapshot before = new Snapshot(List.of(entry), Map.of("e1", svid), List.of(root.chain().get(0)), TD, 1, "{}");
    Snapshot after = new Snapshot(List.of(entry), Map.of("e1", svid), List.of(root.chain().get(0)), TD, 2, "{}",
        Map.of("partner.org", List.of(partnerRoot)));
    Agent agent = new Agent(before, after);

    // The update lands right after the stream has sent its first answer.
    Recorder stream = new Recorder(agent::syncNow);
    Context.current().withValue(CallerAttestation.SELECTORS, SELECTORS)
        .run(() -> new WorkloadApiService(agent).fetchX509SVID(X509SVIDRequest.getDefaultInstance(), stream));
    agent.sync.join(10_000);

    assertThat(stream.messages.get(0).getFederatedBundlesMap()).as("the first answer").isEmpty();
    assertThat(stream.errors).isEmpty();
    assertThat(stream.messages).isNotEmpty();
    X509SVIDResponse latest = stream.messages.get(stream.messages.size() - 1);
    assertThat(latest.getFederatedBundlesMap()).as("the stream's latest answer").containsKey("spiffe://partner.org");
  }

  /** An agent whose state changes (its listeners run on a sync thread of its own) when told to. */
  static final class Agent implements WorkloadIdentities {
    final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    volatile Snapshot snapshot;
    final Snapshot after;
    Thread sync;

    Agent(Snapshot before, Snapshot after) {
      this.snapshot = before;
      this.after = after;
    }

    @Override
    public Snapshot snapshot() {
      return snapshot;
    }

    @Override
    public List<Map.Entry<Registration, X509Svid>> entitled(Set<String> selectors) {
      Snapshot s = snapshot;
      return s.entries().stream().map(e -> Map.entry(e, s.svids().get(e.id()))).toList();
    }

    /** The sync thread: the new state, then the listeners; waits briefly for it, as a fast sync would finish. */
    void syncNow() {
      sync = new Thread(() -> {
        snapshot = after;
        listeners.forEach(Runnable::run);
      }, "agent-sync");
      sync.start();
      try {
        sync.join(200); // a listener waiting for the stream's lock keeps it from finishing: that is fine
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public String signJwtSvid(String entryId, List<String> audience) {
      throw new UnsupportedOperationException();
    }

    @Override
    public AutoCloseable onUpdate(Runnable listener) {
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }

    @Override
    public Clock clock() {
      return clock;
    }

    private final Clock clock = Clock.systemUTC();
  }

  static final class Recorder extends ServerCallStreamObserver<X509SVIDResponse> {
    final List<X509SVIDResponse> messages = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Runnable afterFirst;

    Recorder(Runnable afterFirst) {
      this.afterFirst = afterFirst;
    }

    @Override
    public void onNext(X509SVIDResponse value) {
      messages.add(value);
      if (messages.size() == 1) {
        afterFirst.run();
      }
    }

    @Override
    public void onError(Throwable t) {
      errors.add(t);
    }

    @Override
    public void onCompleted() {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void disableAutoInboundFlowControl() {}
  }
}
