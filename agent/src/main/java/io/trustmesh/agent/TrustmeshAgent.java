package io.trustmesh.agent;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.trustmesh.agent.internal.Cache;
import io.trustmesh.api.grpc.UnixSockets;
import io.trustmesh.api.uds.PrivateSocket;
import io.trustmesh.api.uds.SocketDirectory;
import io.trustmesh.api.workload.WorkloadApi;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.x509.Extensions;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trustmesh node agent: attests to the server with a join token (or resumes from its cache),
 * keeps its own SVID and the workload SVIDs of its entries renewed, and serves them on the SPIFFE
 * Workload API to the workloads whose unix peer credentials match an entry's selectors. While the
 * server is unreachable it keeps serving the cached, still-valid SVIDs (also across a restart) and
 * retries with exponential backoff.
 *
 * <p>This class only assembles and schedules: {@link NodeClient} talks to the server,
 * {@link SvidRotator} decides when to renew and how long to back off, {@link WorkloadApiServer}
 * serves the socket, {@link Cache} keeps the state on disk and {@link FileSink} writes files.
 */
public final class TrustmeshAgent implements AutoCloseable, WorkloadIdentities {
  private static final Logger LOG = LoggerFactory.getLogger(TrustmeshAgent.class);

  private final AgentConfig config;
  private final Cache cache;
  private final SvidRotator rotator;
  /** How many SVIDs one node API call asks for, and how many such calls run at once. */
  private static final int RENEWAL_BATCH = 100;
  private static final int RENEWALS_IN_FLIGHT = 4;
  private final UpdateFanout fanout = new UpdateFanout(Math.min(4, Runtime.getRuntime().availableProcessors()));
  private final SvidRenewal renewal;
  /** The workload SVIDs served are newer than the cache on disk (its last write failed). */
  private volatile boolean cacheBehind;
  private volatile EntryIndex entryIndex;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(UnixSockets.daemonThreads("trustmesh-agent-sync"));
  private volatile X509Svid agentSvid;
  private volatile Snapshot snapshot;
  private volatile Instant lastSync = Instant.EPOCH;
  private NodeClient node;
  private WorkloadApiServer workloadApi;
  private volatile boolean closed;

  private TrustmeshAgent(AgentConfig config) {
    this.config = config;
    this.cache = new Cache(config.dataDir, config.clock);
    this.rotator = new SvidRotator(config.clock, config.syncInterval, config.maxBackoff);
    this.renewal = new SvidRenewal(ids -> node.sign(ids), RENEWAL_BATCH, RENEWALS_IN_FLIGHT);
  }

  /** Attests (or resumes from the cache), starts syncing and serves the Workload API. */
  public static TrustmeshAgent start(AgentConfig config) {
    if (config.dataDir == null) {
      throw new BadInputException("a data directory is required (--data-dir)");
    }
    TrustmeshAgent agent = new TrustmeshAgent(config);
    try {
      agent.boot();
      return agent;
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
  }

  private void boot() {
    Path socket = WorkloadApi.socketPath(config.socket);
    // First, so that a refused socket stops the start before it attests or writes anything.
    PrivateSocket.preflight(socket, SocketDirectory.SHARED, "--socket");
    List<X509Certificate> bundle = cache.bundle().orElseGet(() -> {
      if (config.trustBundle == null) {
        throw new BadInputException("no cached bundle in " + config.dataDir + " and no --trust-bundle given");
      }
      return Pem.readCertificates(config.trustBundle);
    });
    Instant now = config.clock.instant();
    Optional<X509Svid> cached = cache.agentSvid().filter(s -> now.isBefore(notAfter(s)));
    Map<String, X509Svid> svids = new LinkedHashMap<>(cache.workloadSvids());
    svids.values().removeIf(s -> !now.isBefore(notAfter(s)));
    svids.forEach(rotator::issued);
    TrustDomain td = cached.map(s -> s.spiffeId().trustDomain()).orElse(null);
    snapshot = new Snapshot(cache.entries(), svids, bundle, td, 1, cache.jwks(), cache.federatedBundles());
    node = new NodeClient(config.server, () -> Optional.ofNullable(agentSvid), this::bundleSet,
        () -> snapshot.trustDomain(), config.clock);
    if (cached.isPresent()) {
      agentSvid = cached.get();
      rotator.agentIssued(agentSvid);
      LOG.info("resuming as {} from the cache ({} entries, {} workload SVIDs)", agentSvid.spiffeId(),
          snapshot.entries().size(), svids.size());
    } else {
      String token = config.joinToken.orElseThrow(() -> new BadInputException(
          "no valid agent SVID cached in " + config.dataDir + "; attest with --join-token TOKEN"));
      try {
        accept(node.attest(token));
      } catch (StatusRuntimeException e) {
        throw new BadInputException("attestation failed: " + describe(e));
      }
      LOG.info("attested as {}", agentSvid.spiffeId());
      node.reconnect();
    }
    workloadApi = WorkloadApiServer.start(socket, this);
    if (config.writeDir.isPresent()) {
      FileSink sink = new FileSink(this, config.writeDir.get(), config.writeSpiffeId, config.onUpdateExec);
      fanout.add(sink::write);
      sink.write();
    }
    LOG.info("Workload API listening on unix://{}", workloadApi.path());
    Duration next;
    try {
      sync();
      next = rotator.succeeded();
    } catch (RuntimeException e) {
      next = rotator.failed();
      LOG.warn("first sync failed, serving from the cache and retrying in {} ms: {}", next.toMillis(), describe(e));
    }
    schedule(next);
  }

  private static Instant notAfter(X509Svid s) {
    return s.leaf().getNotAfter().toInstant();
  }

  private X509BundleSet bundleSet() {
    Snapshot s = snapshot;
    TrustDomain td = s.trustDomain() != null ? s.trustDomain() : trustDomainOfBundle(s.bundle());
    return X509BundleSet.of(new X509Bundle(td, s.bundle()));
  }

  /** Before attestation the agent knows its trust domain only from the bundle's SPIFFE URI SAN. */
  private static TrustDomain trustDomainOfBundle(List<X509Certificate> bundle) {
    for (X509Certificate c : bundle) {
      for (String uri : Extensions.uriSans(c)) {
        if (uri.startsWith("spiffe://")) {
          return TrustDomain.parse(uri);
        }
      }
      List<TrustDomain> tds = Extensions.trustDomainsOf(c);
      if (!tds.isEmpty()) {
        return tds.get(0);
      }
    }
    throw new BadInputException("cannot tell the trust domain from the trust bundle (no spiffe:// URI SAN)");
  }

  private void accept(NodeClient.AgentIssued issued) {
    cache.saveBundle(issued.bundle());
    cache.saveAgentSvid(issued.svid(), issued.bundle());
    cache.saveJwks(issued.jwks());
    agentSvid = issued.svid();
    rotator.agentIssued(issued.svid());
    Snapshot s = snapshot;
    snapshot = new Snapshot(s.entries(), s.svids(), issued.bundle(), issued.svid().spiffeId().trustDomain(),
        s.version() + 1, issued.jwks(), s.federated());
    fanout.publish(); // the bundle may have changed with it; the sync that follows sees no difference
  }

  private void schedule(Duration delay) {
    if (closed) {
      return;
    }
    try {
      scheduler.schedule(this::loop, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // closing
    }
  }

  private void loop() {
    Duration next;
    try {
      sync();
      next = rotator.succeeded();
    } catch (RuntimeException e) {
      next = rotator.failed();
      LOG.warn("sync with the server failed ({}); serving cached SVIDs, retrying in {} ms", describe(e),
          next.toMillis());
    }
    schedule(next);
  }

  /**
   * One round: renew the agent SVID if due, fetch entries, sign what is missing or due.
   *
   * <p>Order, as a workload sees it: a new bundle is served first (so peers trust the new CA before
   * any SVID it signed is presented), then each batch of renewed SVIDs as soon as the server returns
   * it, all from memory; the cache on disk is written after that, once for the whole round (one
   * atomic file, see {@link Cache#saveWorkloadSvids}). A crash before that write leaves the previous
   * cache, whose SVIDs are still valid, and the restarted agent renews again. A cache that cannot be
   * written is logged and written again with the next round; the workloads keep what they were sent.
   */
  synchronized void sync() {
    if (rotator.agentDue(agentSvid)) {
      accept(node.renewAgent());
      LOG.info("renewed the agent SVID, valid until {}", notAfter(agentSvid));
      node.reconnect();
    }
    NodeClient.Fetched fetched = node.fetch();
    rotator.reissueNotBefore(fetched.reissueNotBefore());
    Snapshot s = snapshot;
    boolean bundleChanged = !fetched.bundle().equals(s.bundle());
    boolean entriesChanged = !fetched.entries().equals(s.entries()) || !fetched.federated().equals(s.federated());
    boolean jwksChanged = !fetched.jwks().equals(s.jwks());
    Map<String, X509Svid> svids = new LinkedHashMap<>(s.svids());
    Set<String> live = fetched.entries().stream().map(Registration::id).collect(Collectors.toSet());
    boolean svidsChanged = svids.keySet().removeIf(id -> {
      if (!live.contains(id)) {
        rotator.forget(id);
        return true;
      }
      return false;
    });
    List<String> stale = new ArrayList<>();
    for (Registration e : fetched.entries()) {
      X509Svid have = svids.get(e.id());
      if (have == null || !have.spiffeId().toString().equals(e.spiffeId()) || rotator.due(e.id(), have)) {
        stale.add(e.id());
      }
    }
    if (bundleChanged || entriesChanged || jwksChanged || svidsChanged) {
      publish(fetched, svids);
    }
    int[] renewed = {0};
    RuntimeException failed = renewal.renew(stale, batch -> {
      batch.svids().forEach((id, svid) -> {
        svids.put(id, svid);
        rotator.issued(id, svid);
        LOG.debug("got SVID {} (entry {}), valid until {}", svid.spiffeId(), id, notAfter(svid));
      });
      batch.refused().forEach((id, why) -> LOG.warn("the server refused the SVID of entry {}: {}", id, why));
      renewed[0] += batch.svids().size();
      if (!batch.svids().isEmpty()) {
        publish(fetched, svids);
      }
    });
    if (renewed[0] > 0) {
      LOG.info("got {} new workload SVID(s) of {} due", renewed[0], stale.size());
    }
    lastSync = config.clock.instant();
    persist(fetched, renewed[0] > 0 || svidsChanged, bundleChanged, entriesChanged, jwksChanged);
    if (failed != null) {
      throw failed;
    }
  }

  /** Serves {@code svids} with what {@code fetched} says, to every stream at once (from memory). */
  private void publish(NodeClient.Fetched fetched, Map<String, X509Svid> svids) {
    Snapshot s = snapshot;
    snapshot = new Snapshot(fetched.entries(), svids, fetched.bundle(), s.trustDomain(), s.version() + 1,
        fetched.jwks(), fetched.federated());
    fanout.publish();
  }

  /** Writes what changed to the cache, after it was served; a failed write is tried again next round. */
  private void persist(NodeClient.Fetched fetched, boolean svids, boolean bundle, boolean entries, boolean jwks) {
    try {
      if (jwks) {
        cache.saveJwks(fetched.jwks());
      }
      if (bundle) {
        cache.saveBundle(fetched.bundle());
      }
      if (entries) {
        cache.saveEntries(fetched.entries(), fetched.federated());
      }
      if (svids || cacheBehind) {
        cacheBehind = true;
        cache.saveWorkloadSvids(snapshot.svids());
        cacheBehind = false;
      }
    } catch (RuntimeException e) {
      cacheBehind = true;
      LOG.warn("cannot write the agent cache in {} ({}); serving from memory, writing it again with the next sync",
          config.dataDir, e.getMessage());
    }
  }

  private static String describe(RuntimeException e) {
    if (e instanceof StatusRuntimeException s) {
      Status st = s.getStatus();
      return st.getCode() + (st.getDescription() == null ? "" : ": " + st.getDescription());
    }
    return String.valueOf(e.getMessage());
  }

  // ------------------------------------------------------------------ what the Workload API reads

  @Override
  public Snapshot snapshot() {
    return snapshot;
  }

  @Override
  public List<Map.Entry<Registration, X509Svid>> entitled(Set<String> selectors) {
    Snapshot s = snapshot;
    Instant now = config.clock.instant();
    List<Map.Entry<Registration, X509Svid>> out = new ArrayList<>();
    for (Registration e : index(s).matching(selectors)) {
      X509Svid svid = s.svids().get(e.id());
      if (svid != null && now.isBefore(notAfter(svid))) {
        out.add(Map.entry(e, svid));
      }
    }
    return out;
  }

  /** The index of {@code s}'s entries, built again only when the entry list is another one. */
  private EntryIndex index(Snapshot s) {
    EntryIndex i = entryIndex;
    if (i == null || i.entries() != s.entries()) {
      i = new EntryIndex(s.entries());
      entryIndex = i;
    }
    return i;
  }

  @Override
  public String signJwtSvid(String entryId, List<String> audience) {
    return node.signJwt(entryId, audience);
  }

  @Override
  public Clock clock() {
    return config.clock;
  }

  @Override
  public AutoCloseable onUpdate(Runnable listener) {
    return fanout.add(listener);
  }

  public SpiffeId spiffeId() {
    return agentSvid.spiffeId();
  }

  public X509Svid agentSvid() {
    return agentSvid;
  }

  public Instant lastSync() {
    return lastSync;
  }

  /** The Workload API socket's real path (in the checked directory). */
  public Path socketPath() {
    return workloadApi == null ? null : workloadApi.path();
  }

  /** Runs a sync now (tests move the clock, then call this instead of waiting). */
  public void syncNow() {
    sync();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdownNow();
    renewal.close();
    fanout.close();
    if (workloadApi != null) {
      workloadApi.close();
    }
    if (node != null) {
      node.close();
    }
  }
}
