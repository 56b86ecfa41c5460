package io.trustmesh.api.workload;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.api.grpc.UnixSockets;
import io.trustmesh.api.uds.SocketDirectory;
import io.trustmesh.api.workload.proto.SpiffeWorkloadAPIGrpc;
import io.trustmesh.api.workload.proto.X509SVID;
import io.trustmesh.api.workload.proto.X509SVIDRequest;
import io.trustmesh.api.workload.proto.X509SVIDResponse;
import io.trustmesh.api.x509.X509Source;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link X509Source} fed by the SPIFFE Workload API: it keeps a {@code FetchX509SVID} stream
 * open to the agent's unix socket and swaps in every update the agent pushes (on each rotation).
 * When the stream breaks it reconnects with exponential backoff and keeps serving the last good
 * SVID meanwhile; every break and every unusable update is reported to {@code onFailure} (the
 * sidecar counts it as a failed reload and shows it on {@code /ready}), never only at debug level.
 *
 * <pre>{@code
 * try (X509Source source = WorkloadApiX509Source.connect(WorkloadApi.defaultEndpoint(), Duration.ofSeconds(10))) {
 *   X509Svid svid = source.svid();
 * }
 * }</pre>
 */
public final class WorkloadApiX509Source implements X509Source {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadApiX509Source.class);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private record State(X509Svid svid, X509BundleSet bundles) {}

  private final ManagedChannel channel;
  private final SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIStub stub;
  private final Optional<SpiffeId> wanted;
  private final AtomicReference<State> state = new AtomicReference<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService retry =
      Executors.newSingleThreadScheduledExecutor(UnixSockets.daemonThreads("trustmesh-workload-api-retry"));
  private final CountDownLatch first = new CountDownLatch(1);
  private final AtomicReference<Status> lastError = new AtomicReference<>();
  private final AtomicReference<String> lastUnusable = new AtomicReference<>();
  private volatile boolean closed;
  private volatile Duration backoff = MIN_BACKOFF;
  private final Consumer<String> onFailure;

  private WorkloadApiX509Source(String address, Optional<SpiffeId> wanted, Consumer<String> onFailure) {
    this.wanted = wanted;
    this.onFailure = onFailure;
    // The Workload API hands out this workload's identity and the bundles it trusts: a socket that
    // another local user could have planted or swapped must never be asked.
    this.channel = UnixSockets.channel(SocketDirectory.checkServed(WorkloadApi.socketPath(address),
        "Workload API " + address));
    Metadata headers = new Metadata();
    headers.put(WorkloadApi.SECURITY_HEADER, "true");
    this.stub = SpiffeWorkloadAPIGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** Connects and waits up to {@code timeout} for the first SVID; the first one the agent lists is used. */
  public static WorkloadApiX509Source connect(String address, Duration timeout) {
    return connect(address, Optional.empty(), timeout);
  }

  /**
   * Connects and waits up to {@code timeout} for the first SVID.
   *
   * @param spiffeId pick this identity when the workload is entitled to several; an update that
   *     lacks it keeps the last good SVID of this ID (and is reported as a failure), and if it
   *     never arrives the timeout's message names the ID and the IDs the agent offered
   * @throws WorkloadApiException when no SVID arrived in time (naming the last error)
   */
  public static WorkloadApiX509Source connect(String address, Optional<SpiffeId> spiffeId, Duration timeout) {
    return connect(address, spiffeId, timeout, msg -> { });
  }

  /**
   * Connects and waits up to {@code timeout} for the first SVID, reporting every later stream error
   * or unusable update to {@code onFailure} (one line; the last good SVID stays in service).
   */
  public static WorkloadApiX509Source connect(String address, Optional<SpiffeId> spiffeId, Duration timeout,
      Consumer<String> onFailure) {
    WorkloadApiX509Source source = new WorkloadApiX509Source(address, spiffeId, onFailure);
    source.open();
    try {
      if (!source.first.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        // An agent that answered says more than the stream error that may have followed it.
        String why = Optional.ofNullable(source.lastUnusable.get())
            .or(() -> Optional.ofNullable(source.lastError.get()).map(WorkloadApiX509Source::describe))
            .map(w -> ": " + w).orElse("");
        source.close();
        throw new WorkloadApiException("no X.509-SVID" + spiffeId.map(id -> " for " + id).orElse("")
            + " from the Workload API at " + address + " within " + timeout.toSeconds() + "s" + why);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      source.close();
      throw new WorkloadApiException("interrupted while waiting for the Workload API at " + address);
    }
    return source;
  }

  private void open() {
    if (closed) {
      return;
    }
    stub.fetchX509SVID(X509SVIDRequest.getDefaultInstance(), new StreamObserver<>() {
      @Override
      public void onNext(X509SVIDResponse response) {
        try {
          update(response);
          backoff = MIN_BACKOFF;
        } catch (RuntimeException e) {
          if (state.get() == null) {
            // Before the first SVID connect() says why in its one line; a warning per update would repeat it.
            LOG.debug("ignoring a Workload API update that cannot be used: {}", e.getMessage());
          } else {
            LOG.warn("ignoring a Workload API update that cannot be used: {}", e.getMessage());
          }
          lastUnusable.set(e.getMessage());
          report("a Workload API update cannot be used: " + e.getMessage());
        }
      }

      @Override
      public void onError(Throwable t) {
        Status s = Status.fromThrowable(t);
        lastError.set(s);
        if (!closed) {
          LOG.warn("Workload API stream ended: {}; keeping the last SVID, retrying in {} ms", describe(s),
              backoff.toMillis());
          report("Workload API stream ended: " + describe(s));
          scheduleReopen();
        }
      }

      @Override
      public void onCompleted() {
        if (!closed) {
          scheduleReopen();
        }
      }
    });
  }

  private void report(String failure) {
    if (state.get() == null) {
      return; // before the first SVID, connect() reports the last error itself
    }
    try {
      onFailure.accept(failure);
    } catch (RuntimeException e) {
      LOG.warn("a failure listener failed: {}", e.toString());
    }
  }

  private void scheduleReopen() {
    Duration d = backoff;
    backoff = d.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d.multipliedBy(2);
    try {
      retry.schedule(this::open, d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private void update(X509SVIDResponse response) {
    X509SVID chosen = SvidChoice.choose(response.getSvidsList(), wanted);
    X509Svid svid = X509Svid.of(Der.certificates(chosen.getX509Svid()), Der.privateKey(chosen.getX509SvidKey()),
        "the Workload API response for " + chosen.getSpiffeId());
    if (wanted.isPresent() && !wanted.get().equals(svid.spiffeId())) {
      // The listed ID is only a label: the certificate decides what the peer sees.
      throw new IllegalArgumentException("the SVID listed as " + wanted.get() + " is a certificate for "
          + svid.spiffeId());
    }
    List<X509Bundle> bundles = new ArrayList<>();
    bundles.add(new X509Bundle(svid.spiffeId().trustDomain(), Der.certificates(chosen.getBundle())));
    for (Map.Entry<String, com.google.protobuf.ByteString> e : response.getFederatedBundlesMap().entrySet()) {
      bundles.add(new X509Bundle(TrustDomain.parse(e.getKey()), Der.certificates(e.getValue())));
    }
    state.set(new State(svid, X509BundleSet.of(bundles)));
    first.countDown();
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.warn("an X509Source listener failed: {}", e.toString());
      }
    }
  }

  private static String describe(Status s) {
    return s.getCode() + (s.getDescription() == null ? "" : " (" + s.getDescription() + ")");
  }

  @Override
  public X509Svid svid() {
    return current().svid();
  }

  @Override
  public X509BundleSet bundles() {
    return current().bundles();
  }

  private State current() {
    State s = state.get();
    if (s == null) {
      throw new IllegalStateException("no X.509-SVID received yet");
    }
    return s;
  }

  @Override
  public AutoCloseable subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {
    closed = true;
    retry.shutdownNow();
    channel.shutdownNow();
  }
}
