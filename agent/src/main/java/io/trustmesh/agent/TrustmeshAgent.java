package io.trustmesh.agent;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.trustmesh.agent.internal.Cache;
import io.trustmesh.agent.internal.PeerCredentialsNegotiator;
import io.trustmesh.api.grpc.Csrs;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.api.grpc.SvidKeyManager;
import io.trustmesh.api.grpc.UnixSockets;
import io.trustmesh.api.node.proto.AttestRequest;
import io.trustmesh.api.node.proto.AttestResponse;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.api.node.proto.FetchEntriesRequest;
import io.trustmesh.api.node.proto.FetchEntriesResponse;
import io.trustmesh.api.node.proto.NodeGrpc;
import io.trustmesh.api.node.proto.RenewAgentRequest;
import io.trustmesh.api.node.proto.SignX509SvidsRequest;
import io.trustmesh.api.node.proto.SignX509SvidsResponse;
import io.trustmesh.api.node.proto.SignedSvid;
import io.trustmesh.api.node.proto.SvidRequest;
import io.trustmesh.api.workload.WorkloadApi;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.TlsDefaults;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trustmesh node agent: attests to the server with a join token, keeps its own SVID renewed,
 * syncs the registration entries it serves, gets their SVIDs signed and renews them at half-life
 * with jitter, and serves them on the SPIFFE Workload API to the workloads whose unix peer
 * credentials match an entry's selectors. While the server is unreachable it keeps serving the
 * cached, still-valid SVIDs (also across a restart) and retries with exponential backoff.
 */
public final class TrustmeshAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrustmeshAgent.class);

  /** What the Workload API serves: entries with their SVIDs, and the bundle. */
  public record Snapshot(List<Entry> entries, Map<String, X509Svid> svids, List<X509Certificate> bundle,
      TrustDomain trustDomain, long version, String jwks) {}

  private final AgentConfig config;
  private final Cache cache;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Instant> renewAt = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(UnixSockets.daemonThreads("trustmesh-agent-sync"));
  private volatile X509Svid agentSvid;
  private volatile Instant agentRenewAt;
  private volatile Snapshot snapshot;
  private volatile Duration backoff;
  private volatile Instant lastSync = Instant.EPOCH;
  private EventLoopGroup nodeGroup;
  private ManagedChannel channel;
  private NodeGrpc.NodeBlockingStub node;
  private EventLoopGroup udsGroup;
  private Server workloadServer;
  private Path socketPath;
  private volatile boolean closed;

  private TrustmeshAgent(AgentConfig config) {
    this.config = config;
    this.cache = new Cache(config.dataDir);
    this.backoff = config.syncInterval;
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
    List<X509Certificate> bundle = cache.bundle().orElseGet(() -> {
      if (config.trustBundle == null) {
        throw new BadInputException("no cached bundle in " + config.dataDir + " and no --trust-bundle given");
      }
      return Pem.readCertificates(config.trustBundle);
    });
    Optional<X509Svid> cached = cache.agentSvid()
        .filter(s -> config.clock.instant().isBefore(s.leaf().getNotAfter().toInstant()));
    Map<String, X509Svid> svids = new LinkedHashMap<>(cache.workloadSvids());
    svids.values().removeIf(s -> !config.clock.instant().isBefore(s.leaf().getNotAfter().toInstant()));
    svids.forEach((id, s) -> renewAt.put(id, renewalTime(s)));
    TrustDomain td = cached.map(s -> s.spiffeId().trustDomain()).orElse(null);
    snapshot = new Snapshot(cache.entries(), Map.copyOf(svids), bundle, td, 1, cache.jwks());
    connect();
    if (cached.isPresent()) {
      agentSvid = cached.get();
      agentRenewAt = renewalTime(agentSvid);
      LOG.info("resuming as {} from the cache ({} entries, {} workload SVIDs)", agentSvid.spiffeId(),
          snapshot.entries().size(), svids.size());
    } else {
      String token = config.joinToken.orElseThrow(() -> new BadInputException(
          "no valid agent SVID cached in " + config.dataDir + "; attest with --join-token TOKEN"));
      attest(token);
    }
    startWorkloadApi();
    try {
      sync();
    } catch (RuntimeException e) {
      LOG.warn("first sync failed, serving from the cache and retrying: {}", describe(e));
      backoff = nextBackoff(config.syncInterval);
    }
    schedule(backoff);
  }

  private void connect() {
    InetSocketAddress server = parse(config.server);
    try {
      SslContextBuilder b = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
          .keyManager(new SvidKeyManager(() -> Optional.ofNullable(agentSvid)))
          .trustManager(new SpiffeTrustManager(this::bundleSet, peer -> {
            TrustDomain td = snapshot.trustDomain();
            if (!peer.path().equals("/trustmesh/server") || (td != null && !peer.memberOf(td))) {
              return "expected the trustmesh server of " + (td == null ? "the trust bundle's domain" : td)
                  + ", got " + peer;
            }
            return null;
          }, config.clock))
          .endpointIdentificationAlgorithm(null)
          .protocols(TlsDefaults.PROTOCOLS);
      nodeGroup = new NioEventLoopGroup(1, UnixSockets.daemonThreads("trustmesh-agent-node"));
      channel = NettyChannelBuilder.forAddress(server)
          .eventLoopGroup(nodeGroup)
          .channelType(NioSocketChannel.class)
          .sslContext(b.build())
          .overrideAuthority("trustmesh-server")
          .build();
      node = NodeGrpc.newBlockingStub(channel);
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS to the server: " + e.getMessage(), e);
    }
  }

  /** A new connection, so that the server sees the current agent SVID (TLS presents it per handshake). */
  private void reconnect() {
    ManagedChannel old = channel;
    EventLoopGroup oldGroup = nodeGroup;
    connect();
    old.shutdown();
    oldGroup.shutdownGracefully(1, 5, TimeUnit.SECONDS);
  }

  private static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new BadInputException("invalid server address '" + hostPort + "' (expected ADDR:PORT)");
    }
    try {
      return new InetSocketAddress(hostPort.substring(0, colon).replace("[", "").replace("]", ""),
          Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new BadInputException("invalid server address '" + hostPort + "' (expected ADDR:PORT)");
    }
  }

  private X509BundleSet bundleSet() {
    Snapshot s = snapshot;
    TrustDomain td = s.trustDomain() != null ? s.trustDomain() : trustDomainOfBundle(s.bundle());
    return X509BundleSet.of(new X509Bundle(td, s.bundle()));
  }

  /** Before attestation the agent knows its trust domain only from the bundle's SPIFFE URI SAN. */
  private static TrustDomain trustDomainOfBundle(List<X509Certificate> bundle) {
    for (X509Certificate c : bundle) {
      for (String uri : io.trustmesh.core.x509.Extensions.uriSans(c)) {
        if (uri.startsWith("spiffe://")) {
          return TrustDomain.parse(uri);
        }
      }
      List<TrustDomain> tds = io.trustmesh.core.x509.Extensions.trustDomainsOf(c);
      if (!tds.isEmpty()) {
        return tds.get(0);
      }
    }
    throw new BadInputException("cannot tell the trust domain from the trust bundle (no spiffe:// URI SAN)");
  }

  private void attest(String token) {
    KeyPair kp = KeyType.DEFAULT.generate();
    AttestResponse r;
    try {
      r = node.withDeadlineAfter(30, TimeUnit.SECONDS).attest(AttestRequest.newBuilder().setJoinToken(token)
          .setCsr(ByteString.copyFrom(Csrs.create(kp))).build());
    } catch (StatusRuntimeException e) {
      throw new BadInputException("attestation failed: " + describe(e));
    }
    acceptAgentSvid(r, kp);
    LOG.info("attested as {}", agentSvid.spiffeId());
    reconnect();
  }

  private void acceptAgentSvid(AttestResponse r, KeyPair kp) {
    X509Svid svid = X509Svid.of(Der.certificates(r.getSvidChainList()), kp.getPrivate(), "the agent SVID");
    List<X509Certificate> bundle = Der.certificates(r.getBundle().getX509AuthoritiesList());
    cache.saveBundle(bundle);
    cache.saveAgentSvid(svid, bundle);
    agentSvid = svid;
    agentRenewAt = renewalTime(svid);
    Snapshot s = snapshot;
    String jwks = r.getBundle().getJwtAuthoritiesJwks();
    cache.saveJwks(jwks);
    snapshot = new Snapshot(s.entries(), s.svids(), bundle, svid.spiffeId().trustDomain(), s.version() + 1, jwks);
  }

  /**
   * Half of the remaining lifetime (measured from now, since notBefore is backdated for clock skew)
   * plus up to a tenth of it at random, so agents do not renew in lockstep.
   */
  private Instant renewalTime(X509Svid s) {
    Instant now = config.clock.instant();
    Duration life = Duration.between(now, s.leaf().getNotAfter().toInstant());
    if (life.isNegative() || life.isZero()) {
      return now;
    }
    long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, life.toMillis() / 10));
    return now.plus(life.dividedBy(2)).plusMillis(jitter);
  }

  private void schedule(Duration delay) {
    if (closed) {
      return;
    }
    try {
      scheduler.schedule(this::loop, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // closing
    }
  }

  private void loop() {
    try {
      sync();
      backoff = config.syncInterval;
    } catch (RuntimeException e) {
      backoff = nextBackoff(backoff);
      LOG.warn("sync with the server failed ({}); serving cached SVIDs, retrying in {} ms", describe(e),
          backoff.toMillis());
    }
    schedule(backoff);
  }

  private Duration nextBackoff(Duration current) {
    Duration d = current.multipliedBy(2);
    return d.compareTo(config.maxBackoff) > 0 ? config.maxBackoff : d;
  }

  /** One round: renew the agent SVID if due, fetch entries, sign what is missing or due. */
  synchronized void sync() {
    Instant now = config.clock.instant();
    if (!now.isBefore(agentRenewAt)) {
      KeyPair kp = KeyType.DEFAULT.generate();
      AttestResponse r = node.withDeadlineAfter(10, TimeUnit.SECONDS)
          .renewAgent(RenewAgentRequest.newBuilder().setCsr(ByteString.copyFrom(Csrs.create(kp))).build());
      acceptAgentSvid(r, kp);
      LOG.info("renewed the agent SVID, valid until {}", agentSvid.leaf().getNotAfter().toInstant());
      reconnect();
    }
    FetchEntriesResponse fetched = node.withDeadlineAfter(10, TimeUnit.SECONDS)
        .fetchEntries(FetchEntriesRequest.getDefaultInstance());
    List<X509Certificate> bundle = Der.certificates(fetched.getBundle().getX509AuthoritiesList());
    Snapshot s = snapshot;
    String jwks = fetched.getBundle().getJwtAuthoritiesJwks();
    boolean changed = !bundle.equals(s.bundle()) || !fetched.getEntriesList().equals(s.entries())
        || !jwks.equals(s.jwks());
    if (!jwks.equals(s.jwks())) {
      cache.saveJwks(jwks);
    }
    Map<String, X509Svid> svids = new LinkedHashMap<>(s.svids());
    List<SvidRequest> requests = new ArrayList<>();
    Map<String, KeyPair> keys = new LinkedHashMap<>();
    for (Entry e : fetched.getEntriesList()) {
      X509Svid have = svids.get(e.getId());
      boolean stale = have == null || !have.spiffeId().toString().equals(e.getSpiffeId())
          || !now.isBefore(renewAt.getOrDefault(e.getId(), Instant.EPOCH));
      if (stale) {
        KeyPair kp = KeyType.DEFAULT.generate();
        keys.put(e.getId(), kp);
        requests.add(SvidRequest.newBuilder().setEntryId(e.getId()).setCsr(ByteString.copyFrom(Csrs.create(kp))).build());
      }
    }
    if (!requests.isEmpty()) {
      SignX509SvidsResponse signed = node.withDeadlineAfter(30, TimeUnit.SECONDS)
          .signX509Svids(SignX509SvidsRequest.newBuilder().addAllRequests(requests).build());
      for (SignedSvid sv : signed.getSvidsList()) {
        X509Svid svid = X509Svid.of(Der.certificates(sv.getSvidChainList()), keys.get(sv.getEntryId()).getPrivate(),
            "the SVID of entry " + sv.getEntryId());
        cache.saveWorkloadSvid(sv.getEntryId(), svid, bundle);
        svids.put(sv.getEntryId(), svid);
        renewAt.put(sv.getEntryId(), renewalTime(svid));
        LOG.info("got SVID {} (entry {}), valid until {}", svid.spiffeId(), sv.getEntryId(),
            svid.leaf().getNotAfter().toInstant());
      }
      changed = true;
    }
    List<String> live = fetched.getEntriesList().stream().map(Entry::getId).toList();
    for (String id : new ArrayList<>(svids.keySet())) {
      if (!live.contains(id)) {
        svids.remove(id);
        renewAt.remove(id);
        cache.deleteWorkloadSvid(id);
        changed = true;
      }
    }
    if (!bundle.equals(s.bundle())) {
      cache.saveBundle(bundle);
    }
    if (!fetched.getEntriesList().equals(s.entries())) {
      cache.saveEntries(fetched.getEntriesList());
    }
    lastSync = now;
    if (changed) {
      snapshot = new Snapshot(fetched.getEntriesList(), Map.copyOf(svids), bundle, s.trustDomain(), s.version() + 1,
          jwks);
      listeners.forEach(TrustmeshAgent::runQuietly);
    }
  }

  private static void runQuietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("an update listener failed: {}", e.toString());
    }
  }

  private static String describe(RuntimeException e) {
    if (e instanceof StatusRuntimeException s) {
      Status st = s.getStatus();
      return st.getCode() + (st.getDescription() == null ? "" : ": " + st.getDescription());
    }
    return String.valueOf(e.getMessage());
  }

  private void startWorkloadApi() {
    socketPath = WorkloadApi.socketPath(config.socket);
    try {
      Files.createDirectories(socketPath.toAbsolutePath().getParent());
      Files.deleteIfExists(socketPath);
      udsGroup = new EpollEventLoopGroup(2, UnixSockets.daemonThreads("trustmesh-workload-api"));
      WorkloadApiService service = new WorkloadApiService(this);
      workloadServer = NettyServerBuilder.forAddress(new DomainSocketAddress(socketPath.toFile()))
          .channelType(EpollServerDomainSocketChannel.class)
          .bossEventLoopGroup(udsGroup)
          .workerEventLoopGroup(udsGroup)
          .protocolNegotiator(new PeerCredentialsNegotiator())
          .addService(ServerInterceptors.intercept(service, WorkloadApiService.attestor()))
          .build()
          .start();
      // Any local process may ask; what it gets depends on its attested selectors.
      Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-rw-rw-"));
    } catch (IOException e) {
      throw new BadInputException("cannot serve the Workload API on " + socketPath + ": " + e.getMessage());
    }
    if (config.writeDir.isPresent()) {
      FileSink sink = new FileSink(this, config.writeDir.get(), config.writeSpiffeId, config.onUpdateExec);
      listeners.add(sink::write);
      sink.write();
    }
    LOG.info("Workload API listening on unix://{}", socketPath);
  }

  // ------------------------------------------------------------------ what the Workload API reads

  public Snapshot snapshot() {
    return snapshot;
  }

  /** The SVIDs whose entry selectors are all among {@code selectors}, still valid now. */
  public List<Map.Entry<Entry, X509Svid>> entitled(java.util.Set<String> selectors) {
    Snapshot s = snapshot;
    Instant now = config.clock.instant();
    List<Map.Entry<Entry, X509Svid>> out = new ArrayList<>();
    for (Entry e : s.entries()) {
      X509Svid svid = s.svids().get(e.getId());
      if (svid != null && selectors.containsAll(e.getSelectorsList())
          && now.isBefore(svid.leaf().getNotAfter().toInstant())) {
        out.add(Map.entry(e, svid));
      }
    }
    return out;
  }

  /** Asks the server for a JWT-SVID of an entry this agent serves (a live call: JWT-SVIDs are short-lived). */
  public String signJwtSvid(String entryId, List<String> audience) {
    return node.withDeadlineAfter(10, TimeUnit.SECONDS).signJwtSvid(
        io.trustmesh.api.node.proto.SignJwtSvidRequest.newBuilder().setEntryId(entryId).addAllAudience(audience).build())
        .getToken();
  }

  public java.time.Clock clock() {
    return config.clock;
  }

  /** Calls {@code listener} after every change of SVIDs, entries or bundle. */
  public AutoCloseable onUpdate(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
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

  public Path socketPath() {
    return socketPath;
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
    if (workloadServer != null) {
      workloadServer.shutdownNow();
    }
    if (channel != null) {
      channel.shutdownNow();
    }
    for (EventLoopGroup g : new EventLoopGroup[] {nodeGroup, udsGroup}) {
      if (g != null) {
        g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
    }
    if (socketPath != null) {
      try {
        Files.deleteIfExists(socketPath);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }
}
