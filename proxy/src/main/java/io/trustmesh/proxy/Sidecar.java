package io.trustmesh.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ResourceLeakDetector;
import io.trustmesh.api.uds.PrivateSocket;
import io.trustmesh.api.x509.X509Source;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.verify.PublicSuffixList;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running sidecar: inbound listeners that terminate mutual TLS in front of a local app, outbound
 * listeners that originate it for a local app, an optional admin endpoint and an access log. The
 * CLI's {@code trustmesh proxy} commands and the tests both start it through {@link #start}.
 *
 * <pre>{@code
 * try (FileX509Source source = FileX509Source.watchDirectory(dir, Duration.ofSeconds(30), msg -> {});
 *      Sidecar sidecar = Sidecar.start(config, source, Clock.systemUTC())) {
 *   InetSocketAddress port = sidecar.address("inbound");
 * }
 * }</pre>
 *
 * <p>Identity: the TLS contexts are built from the source's SVID and bundles; when the source
 * reports an update they are rebuilt aside and swapped in one step. A listener may have a source of
 * its own (the node shape: one process serving several workloads, each listener presenting its
 * workload's SVID and, outbound, using it as the client certificate); the others use the process's. Connections already open keep
 * the context they started with; a rebuild that fails leaves the last good contexts in service.
 */
public final class Sidecar implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);

  private final SidecarConfig config;
  private final X509Source source;
  /** Listeners that present an identity of their own, by name; the others present {@link #source}'s. */
  private final Map<String, X509Source> listenerSources;
  private final Clock clock;
  private final TlsEngine engine;
  final ProxyMetrics metrics = new ProxyMetrics();
  final AtomicInteger active = new AtomicInteger();
  private final Optional<AccessLog> accessLog;
  private final AtomicReference<Map<String, TlsContexts.ListenerTls>> contexts = new AtomicReference<>(Map.of());
  private final SslHandlers sslHandlers = new SslHandlers(new HandshakeOutcomes());
  private final VerificationCache verificationCache = VerificationCache.create();
  private final AtomicLong bundleVersion = new AtomicLong();
  /** The SPIFFE ID each listener presents now, for its connections' access-log lines. */
  private volatile Map<String, String> localIds = Map.of();
  private final ConnectionContext connections = new Connections();
  /** Each inbound listener's allow policy in force: read by every full handshake and every resumed session. */
  private final Map<String, AtomicReference<AllowPolicy>> allowPolicies = new LinkedHashMap<>();
  private final Upstream upstream;
  private final Map<String, InetSocketAddress> bound = new LinkedHashMap<>();
  /** Outbound listeners on unix sockets: their paths, and the sockets to remove at close. */
  private final Map<String, Path> boundSockets = new LinkedHashMap<>();
  private final List<PrivateSocket> sockets = new ArrayList<>();
  private final List<Channel> serverChannels = new ArrayList<>();
  private final List<Channel> listenerChannels = new ArrayList<>();
  private final Object drained = new Object();
  private volatile boolean draining;
  private final List<String> notes = new ArrayList<>();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private volatile String lastReloadFailure;
  private volatile Instant lastReload;
  private final List<AutoCloseable> subscriptions = new ArrayList<>();
  private InetSocketAddress adminAddress;
  private AdminGate adminGate = new AdminGate(AdminLimits.DEFAULT);

  private Sidecar(SidecarConfig config, X509Source source, Map<String, X509Source> listenerSources, Clock clock,
      TlsEngine engine) {
    this.config = config;
    this.source = source;
    this.listenerSources = Map.copyOf(listenerSources);
    this.clock = clock;
    this.engine = engine;
    this.accessLog = AccessLog.open(config.accessLog(), metrics::accessLogDropped);
    this.upstream = new Upstream(engine, connections, sslHandlers);
    config.inbound().forEach(l -> allowPolicies.put(l.name(), new AtomicReference<>(l.allow())));
    int threads = Integer.getInteger("trustmesh.proxy.threads", Runtime.getRuntime().availableProcessors());
    this.boss = new MultiThreadIoEventLoopGroup(1, engine.ioHandlerFactory());
    this.workers = new MultiThreadIoEventLoopGroup(threads, engine.ioHandlerFactory());
  }

  /**
   * Builds the TLS contexts, binds every listener and the admin endpoint, and subscribes to
   * identity updates. {@code source} may be null only when no listener uses TLS.
   *
   * @throws BadInputException when the identity is unusable or a port cannot be bound
   */
  public static Sidecar start(SidecarConfig config, X509Source source, Clock clock) {
    return start(config, source, clock, AdminLimits.DEFAULT);
  }

  /** As {@link #start(SidecarConfig, X509Source, Clock)}, with the admin endpoint's own bounds. */
  public static Sidecar start(SidecarConfig config, X509Source source, Clock clock, AdminLimits adminLimits) {
    return start(config, source, Map.of(), clock, adminLimits);
  }

  /**
   * As {@link #start(SidecarConfig, X509Source, Clock)}, with listeners that present an identity of
   * their own: {@code listenerSources} maps a listener's name to its source. {@code source} (the
   * process identity) may be null when every listener that needs one has its own.
   *
   * @throws BadInputException also when {@code listenerSources} names no listener of {@code config}
   */
  public static Sidecar start(SidecarConfig config, X509Source source, Map<String, X509Source> listenerSources,
      Clock clock, AdminLimits adminLimits) {
    for (String name : listenerSources.keySet()) {
      boolean known = config.inbound().stream().anyMatch(l -> l.name().equals(name))
          || config.outbound().stream().anyMatch(l -> l.name().equals(name));
      if (!known) {
        throw new BadInputException("an identity is given for listener " + name + ", but no listener has that name");
      }
    }
    System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
    // JDK engine (fallback): no stateless tickets, so invalidating a session makes it unresumable.
    System.setProperty("jdk.tls.server.enableSessionTicketExtension", "false");
    System.setProperty("jdk.tls.client.enableSessionTicketExtension", "false");
    quietLeakDetector();
    TlsEngine engine = TlsEngine.probe();
    Sidecar s = new Sidecar(config, source, listenerSources, clock, engine);
    s.adminGate = new AdminGate(adminLimits);
    try {
      s.startUp();
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Netty's default leak detection samples one buffer in 128 and records a stack trace for it, and
   * draws a random number for every buffer allocated: a cost on every read and every TLS record, for
   * a debugging aid. Off in the sidecar unless {@code -Dio.netty.leakDetection.level} asks for it.
   */
  private static void quietLeakDetector() {
    if (System.getProperty("io.netty.leakDetection.level") == null
        && System.getProperty("io.netty.leakDetectionLevel") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  /** Inbound mTLS and outbound MUTUAL present an SVID; SIMPLE (server-authenticated only) does not. */
  private boolean needsIdentity() {
    return config.inbound().stream().anyMatch(l -> l.mode() != InboundMode.DISABLE)
        || config.outbound().stream().anyMatch(l -> l.tls() == OutboundTls.MUTUAL);
  }

  private boolean needsTls() {
    return needsIdentity() || config.outbound().stream().anyMatch(l -> l.tls() != OutboundTls.DISABLE);
  }

  /** The identity {@code listener} presents: its own, else the process's (null: none). */
  private X509Source sourceOf(String listener) {
    return listenerSources.getOrDefault(listener, source);
  }

  /** Every identity source a TLS listener uses, the process's first. */
  private List<X509Source> sourcesInUse() {
    List<X509Source> used = new ArrayList<>();
    java.util.function.Consumer<String> add = name -> {
      X509Source src = sourceOf(name);
      if (src != null && used.stream().noneMatch(u -> u == src)) {
        used.add(src);
      }
    };
    config.inbound().stream().filter(l -> l.mode() != InboundMode.DISABLE).forEach(l -> add.accept(l.name()));
    config.outbound().stream().filter(l -> l.tls() != OutboundTls.DISABLE).forEach(l -> add.accept(l.name()));
    if (source != null && used.stream().noneMatch(u -> u == source)) {
      used.add(0, source);
    }
    return used;
  }

  private void startUp() {
    if (engine.isFallback()) {
      notes.add("TLS engine: " + engine.describe());
    }
    PublicSuffixList.missingWarning().ifPresent(notes::add);
    for (InboundListener l : config.inbound()) {
      if (l.mode() != InboundMode.DISABLE && sourceOf(l.name()) == null) {
        throw new BadInputException("a TLS listener needs an identity: give --svid-dir (or --cert/--key)");
      }
    }
    for (OutboundListener l : config.outbound()) {
      if (l.tls() == OutboundTls.MUTUAL && sourceOf(l.name()) == null) {
        throw new BadInputException("a TLS listener needs an identity: give --svid-dir (or --cert/--key)");
      }
    }
    if (needsTls()) {
      // SIMPLE upstreams without an identity: their contexts use the listener's own CA bundle and no SVID.
      try {
        contexts.set(buildContexts());
      } catch (BadInputException e) {
        throw e;
      } catch (Exception e) {
        throw new BadInputException("cannot build TLS contexts: " + e.getMessage());
      }
      identityLoaded();
      for (X509Source src : sourcesInUse()) {
        subscriptions.add(src.subscribe(this::reload));
      }
    }
    plaintextWarnings();
    for (InboundListener l : config.inbound()) {
      Addresses.unixPath(l.target()).ifPresent(socket -> LocalSockets.checkTarget(socket, l.name()));
    }
    for (InboundListener l : config.inbound()) {
      if (l.mode() != InboundMode.DISABLE && l.allow().isEmpty()) {
        notes.add("listener " + l.name() + ": no allow rule, every mTLS client will be denied"
            + " (add --allow-id, --allow-id-prefix or --allow-trust-domain)");
      } else if (l.mode() != InboundMode.DISABLE && l.allow().allowsAny()) {
        notes.add("listener " + l.name() + ": --allow-any-id: ANY authenticated SPIFFE ID is allowed");
      }
      bind(l.name(), l.listen(), new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel ch) {
          initInbound(ch, l);
        }
      });
    }
    for (OutboundListener l : config.outbound()) {
      ChannelInitializer<Channel> init = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
          initOutbound(ch, l);
        }
      };
      if (l.listen() instanceof UnixDomainSocketAddress unix) {
        bindSocket(l.name(), unix.getPath(), init);
      } else {
        bind(l.name(), (InetSocketAddress) l.listen(), init);
      }
    }
    if (config.admin().isPresent()) {
      // One accept per read and a small backlog: admin load queues in the kernel, not in our fds.
      ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(engine.serverChannel())
          .option(ChannelOption.SO_BACKLOG, adminGate.limits().maxConnections())
          .option(ChannelOption.RCVBUF_ALLOCATOR, new ServerChannelRecvByteBufAllocator().maxMessagesPerRead(1))
          .childHandler(new AdminServer.Initializer(this, adminGate));
      Channel ch = bindOrFail("admin", b, config.admin().get());
      adminAddress = (InetSocketAddress) ch.localAddress();
    }
    notes.forEach(LOG::warn);
  }

  /** DISABLE is a loud choice, like --allow-any-id: said at every start. */
  private void plaintextWarnings() {
    for (InboundListener l : config.inbound()) {
      if (l.mode() == InboundMode.DISABLE) {
        notes.add("listener " + l.name() + ": mode disable: plaintext, no mTLS and no authorization; whoever reaches"
            + " this port reaches " + Addresses.describe(l.target()));
      }
    }
    for (OutboundListener l : config.outbound()) {
      if (l.tls() == OutboundTls.DISABLE) {
        notes.add("outbound " + l.name() + ": tls disable: plaintext to " + l.targetHost() + ":" + l.targetPort()
            + ", the server is not authenticated and the traffic is not encrypted");
      }
    }
  }

  private void bind(String name, InetSocketAddress addr, ChannelInitializer<? extends Channel> init) {
    ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(engine.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
        .childHandler(init);
    Channel ch = bindOrFail(name, b, addr);
    bound.put(name, (InetSocketAddress) ch.localAddress());
    listenerChannels.add(ch);
  }

  /** A unix-socket listener, 0600 in a directory only this user can write ({@link LocalSockets}). */
  private void bindSocket(String name, Path path, ChannelInitializer<Channel> init) {
    ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(engine.serverDomainChannel())
        .option(ChannelOption.SO_BACKLOG, 4096)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
        .childHandler(init);
    List<Channel> channel = new ArrayList<>(1);
    PrivateSocket socket = LocalSockets.listen(path, name, at -> {
      ChannelFuture f = b.bind(engine.domainAddress(at)).awaitUninterruptibly();
      if (!f.isSuccess()) {
        throw new BadInputException("cannot listen on " + Addresses.UNIX + path + " for " + name + ": "
            + Reasons.socketError(f.cause()));
      }
      channel.add(f.channel());
      return () -> f.channel().close().awaitUninterruptibly();
    });
    sockets.add(socket);
    boundSockets.put(name, socket.path());
    serverChannels.add(channel.get(0));
    listenerChannels.add(channel.get(0));
  }

  private Channel bindOrFail(String name, ServerBootstrap b, InetSocketAddress addr) {
    ChannelFuture f = b.bind(addr).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new BadInputException("cannot listen on " + addr.getHostString() + ":" + addr.getPort() + " for "
          + name + ": " + Reasons.socketError(f.cause()));
    }
    serverChannels.add(f.channel());
    return f.channel();
  }

  private IdleStateHandler idle() {
    return new IdleStateHandler(0, 0, config.limits().idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * accept → guard → [sniff] → TLS → authorize → relay → (access log, when the guard sees the end).
   * See the proxy README for the picture.
   */
  private void initInbound(SocketChannel ch, InboundListener l) {
    Connection conn = new Connection(l.name(), "inbound", ch.remoteAddress(), clock.instant(),
        localIds.get(l.name()));
    ChannelPipeline p = ch.pipeline();
    p.addLast("idle", idle());
    p.addLast("guard", new GuardStage(connections, conn, metrics.active(l.name())));
    Runnable plaintext = () -> {
      conn.plaintextEstablished();
      upstream.connect(ch, conn, l.target(), null);
    };
    switch (l.mode()) {
      case STRICT -> addInboundTls(p, null, conn, l);
      case PERMISSIVE -> p.addLast("sniff", new SniffStage(sniff -> addInboundTls(p, sniff.name(), conn, l), plaintext));
      case DISABLE -> p.addLast("plain", new ChannelInboundHandlerAdapter() {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
          ctx.pipeline().remove(this);
          plaintext.run();
          ctx.fireChannelActive();
        }
      });
    }
  }

  /** The TLS and authorize stages of an inbound connection, at the end of the pipeline or after {@code after}. */
  private void addInboundTls(ChannelPipeline p, String after, Connection conn, InboundListener l) {
    TlsContexts.ListenerTls listenerTls = contexts.get().get(l.name());
    SslHandlers.Tls tls = sslHandlers.server(p.channel(), listenerTls.context());
    AuthorizeStage authorize = new AuthorizeStage(connections, conn, tls.outcome(),
        () -> contexts.get().get(l.name()).check(), true, true, listenerTls.resumes(),
        () -> upstream.connect(p.channel(), conn, l.target(), null), () -> {});
    if (after == null) {
      p.addLast("tls", tls.handler());
      p.addLast("authorize", authorize);
    } else {
      p.addAfter(after, "tls", tls.handler());
      p.addAfter("tls", "authorize", authorize);
    }
  }

  private void initOutbound(Channel ch, OutboundListener l) {
    // a unix socket's client has no address: the access log names the socket it came through
    SocketAddress peer = l.listen() instanceof UnixDomainSocketAddress ? l.listen() : ch.remoteAddress();
    Connection conn = new Connection(l.name(), "outbound", peer, clock.instant(), localIds.get(l.name()));
    ChannelPipeline p = ch.pipeline();
    p.addLast("idle", idle());
    p.addLast("guard", new GuardStage(connections, conn, metrics.active(l.name())));
    p.addLast("start", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
        TlsContexts.ListenerTls listenerTls = contexts.get().get(l.name());
        Upstream.Tls tls = l.tls() == OutboundTls.DISABLE ? null
            : new Upstream.Tls(listenerTls.context(), l.serverName().orElse(l.targetHost()),
                l.tls() == OutboundTls.MUTUAL, () -> contexts.get().get(l.name()).check(), listenerTls.resumes());
        upstream.connect(ch, conn, l.targetHost(), l.targetPort(), tls);
        ctx.fireChannelActive();
      }
    });
  }

  /** One listener's identity as of this rebuild: every listener of one source sees the same snapshot. */
  private record Snapshot(X509Svid svid, X509BundleSet bundles) {
    static final Snapshot NONE = new Snapshot(null, X509BundleSet.of(List.of()));
  }

  private Map<String, TlsContexts.ListenerTls> buildContexts() throws Exception {
    Map<X509Source, Snapshot> snapshots = new java.util.IdentityHashMap<>();
    java.util.function.Function<String, Snapshot> snapshotOf = name -> {
      X509Source src = sourceOf(name);
      return src == null ? Snapshot.NONE
          : snapshots.computeIfAbsent(src, x -> new Snapshot(x.svid(), x.bundles()));
    };
    Map<String, TlsContexts.ListenerTls> m = new LinkedHashMap<>();
    // every snapshot gets a bundle version of its own: no cached verification outlives its bundle
    TlsContexts.Shared shared = new TlsContexts.Shared(engine, sslHandlers.outcomes(), verificationCache,
        bundleVersion.incrementAndGet(), clock, config.resumption());
    for (InboundListener l : config.inbound()) {
      if (l.mode() != InboundMode.DISABLE) {
        AtomicReference<AllowPolicy> allow = allowPolicies.get(l.name());
        Snapshot id = snapshotOf.apply(l.name());
        m.put(l.name(), built(l.name(), id, () -> TlsContexts.server(shared, id.svid(), id.bundles(),
            peer -> allow.get().refuse(peer))));
      }
    }
    for (OutboundListener l : config.outbound()) {
      if (l.tls() != OutboundTls.DISABLE) {
        Snapshot id = snapshotOf.apply(l.name());
        m.put(l.name(), built(l.name(), id, () -> TlsContexts.client(shared, l, id.svid(), id.bundles())));
      }
    }
    return Map.copyOf(m);
  }

  private interface ContextBuild {
    TlsContexts.ListenerTls build() throws Exception;
  }

  /** Builds one listener's context; a failure names the listener and the SVID it was built from. */
  private static TlsContexts.ListenerTls built(String listener, Snapshot id, ContextBuild build) throws Exception {
    try {
      return build.build();
    } catch (Exception e) {
      throw new Exception("listener " + listener + (id.svid() == null ? "" : " (" + id.svid() + ")") + ": "
          + e.getMessage(), e);
    }
  }

  /** After contexts were built: the SPIFFE ID each listener presents, the soonest SVID expiry, the time. */
  private void identityLoaded() {
    Map<String, String> ids = new java.util.HashMap<>();
    config.inbound().forEach(l -> localIdOf(l.name()).ifPresent(id -> ids.put(l.name(), id)));
    config.outbound().forEach(l -> localIdOf(l.name()).ifPresent(id -> ids.put(l.name(), id)));
    localIds = Map.copyOf(ids);
    sourcesInUse().stream().mapToLong(src -> src.svid().leaf().getNotAfter().toInstant().getEpochSecond()).min()
        .ifPresent(metrics::svidNotAfter);
    lastReload = clock.instant();
  }

  private Optional<String> localIdOf(String listener) {
    X509Source src = sourceOf(listener);
    return src == null ? Optional.empty() : Optional.of(src.svid().spiffeId().toString());
  }

  /** Any source changed: every context is rebuilt aside and swapped in at once, or none is. */
  private synchronized void reload() {
    try {
      contexts.set(buildContexts());
      metrics.reload("ok", 1);
      identityLoaded();
      lastReloadFailure = null;
      LOG.info("identity reloaded: {}", localIds);
    } catch (Exception e) {
      reportReloadFailure("cannot build TLS contexts: " + e.getMessage());
    }
  }

  /**
   * Replaces an inbound listener's allow policy. The next handshake, full or resumed, is decided by
   * the new policy; connections already open are not cut.
   *
   * @throws IllegalArgumentException when no inbound listener has this name
   */
  public void updateAllowPolicy(String listener, AllowPolicy policy) {
    AtomicReference<AllowPolicy> current = allowPolicies.get(listener);
    if (current == null) {
      throw new IllegalArgumentException("no inbound listener named " + listener);
    }
    current.set(policy);
    LOG.info("listener {}: allow policy now {}", listener, policy.describe());
  }

  /** Reports a failed reload (e.g. a broken file); the last good identity stays in service. */
  public void reportReloadFailure(String reason) {
    metrics.reload("failed", 1);
    lastReloadFailure = reason;
    LOG.warn("reload failed, keeping the last good identity: {}", reason);
  }

  /** The narrow view of this sidecar that a connection's stages get. */
  private final class Connections implements ConnectionContext {
    @Override
    public Limits limits() {
      return config.limits();
    }

    @Override
    public Clock clock() {
      return clock;
    }

    @Override
    public boolean admit() {
      if (active.incrementAndGet() > config.limits().maxConnections()) {
        active.decrementAndGet();
        return false;
      }
      return true;
    }

    @Override
    public void release() {
      active.decrementAndGet();
      if (draining) {
        synchronized (drained) {
          drained.notifyAll();
        }
      }
    }

    @Override
    public void record(Connection c) {
      metrics.connectionEnded(c);
      accessLog.ifPresent(a -> a.write(c));
    }

    @Override
    public void refused(Connection c) {
      LOG.info("{} {} from {} {}: {} {}", c.listener, c.result, c.peerAddress(),
          c.peerId == null ? "(no SPIFFE ID)" : c.peerId, c.cause == null ? c.reason : c.cause.code(),
          c.detail == null ? "" : c.detail);
    }
  }

  /** The bound address of a listener (useful with port 0). */
  public InetSocketAddress address(String listener) {
    InetSocketAddress a = bound.get(listener);
    if (a == null) {
      throw new IllegalArgumentException("no listener named " + listener);
    }
    return a;
  }

  public Map<String, InetSocketAddress> addresses() {
    return Map.copyOf(bound);
  }

  /** The socket an outbound listener on a unix socket listens on (its real path); empty for TCP ones. */
  public Optional<Path> socket(String listener) {
    return Optional.ofNullable(boundSockets.get(listener));
  }

  public Optional<InetSocketAddress> adminAddress() {
    return Optional.ofNullable(adminAddress);
  }

  public TlsEngine engine() {
    return engine;
  }

  /** Warnings worth printing at start: deny-all listeners, --allow-any-id, the JDK fallback. */
  public List<String> notes() {
    return List.copyOf(notes);
  }

  public Limits limits() {
    return config.limits();
  }

  public SidecarConfig config() {
    return config;
  }

  Optional<X509Source> source() {
    return Optional.ofNullable(source);
  }

  Optional<String> lastReloadFailure() {
    return Optional.ofNullable(lastReloadFailure);
  }

  Optional<Instant> lastReload() {
    return Optional.ofNullable(lastReload);
  }

  Clock clock() {
    return clock;
  }

  /**
   * Graceful stop, first half: stops accepting on every listener at once (the admin endpoint keeps
   * serving, and {@code /ready} answers 503 "draining"), then waits for the open connections to end
   * by themselves, at most {@code deadline}. Call {@link #close()} afterwards; it closes whatever
   * is still open.
   *
   * @return how many connections were still open when the deadline passed; 0 when all drained
   */
  public int drain(Duration deadline) throws InterruptedException {
    stopAccepting();
    long end = System.nanoTime() + deadline.toNanos();
    synchronized (drained) {
      long left;
      while (active.get() > 0 && (left = end - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.timedWait(drained, left);
      }
    }
    return active.get();
  }

  /** Closes every listener (not the admin endpoint) and reports not-ready from now on. */
  public void stopAccepting() {
    draining = true;
    for (Channel c : listenerChannels) {
      c.close().awaitUninterruptibly();
    }
  }

  /** Open client connections, over all listeners. */
  public int openConnections() {
    return active.get();
  }

  /** Null when ready to serve; otherwise why not. */
  String notReadyReason() {
    if (draining) {
      return "draining: not accepting new connections, " + active.get() + " still open";
    }
    if (!needsIdentity()) {
      return null;
    }
    Instant now = clock.instant();
    for (X509Source src : sourcesInUse()) {
      X509Svid svid = src.svid();
      if (svid.leaf().getNotAfter().toInstant().isBefore(now)) {
        return "the SVID " + svid.spiffeId() + " expired at " + svid.leaf().getNotAfter().toInstant();
      }
    }
    List<String> needBundle = new ArrayList<>();
    config.inbound().stream().filter(l -> l.mode() != InboundMode.DISABLE).forEach(l -> needBundle.add(l.name()));
    config.outbound().stream().filter(l -> l.tls() != OutboundTls.DISABLE && l.serverName().isEmpty()
        && l.caBundle().isEmpty()).forEach(l -> needBundle.add(l.name()));
    for (String name : needBundle) {
      X509Source src = sourceOf(name);
      if (src != null && src.bundles().bundles().isEmpty()) {
        return listenerSources.containsKey(name) ? "no trust bundle loaded for listener " + name
            : "no trust bundle loaded";
      }
    }
    return null;
  }

  @Override
  public void close() {
    for (AutoCloseable subscription : subscriptions) {
      try {
        subscription.close();
      } catch (Exception e) {
        // unsubscribing cannot fail in a way that matters at shutdown
      }
    }
    for (Channel c : serverChannels) {
      c.close().awaitUninterruptibly();
    }
    sockets.forEach(PrivateSocket::close);
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    accessLog.ifPresent(AccessLog::close);
  }
}
