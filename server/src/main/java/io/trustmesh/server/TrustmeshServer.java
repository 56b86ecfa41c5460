package io.trustmesh.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.trustmesh.api.admin.proto.GetBundleResponse;
import io.trustmesh.api.grpc.SvidKeyManager;
import io.trustmesh.api.grpc.UnixSockets;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.TlsDefaults;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.ca.Upstream;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.keymanager.DiskKeyManager;
import io.trustmesh.server.keymanager.KeyManager;
import io.trustmesh.server.keymanager.MemoryKeyManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trustmesh CA server: signing CA with automatic rotation, datastore, node API (gRPC over
 * mTLS), admin API (gRPC on a unix socket), bundle endpoint (HTTPS, SPIFFE bundle format) and
 * health/metrics (HTTP).
 *
 * <pre>{@code
 * ServerConfig cfg = new ServerConfig();
 * cfg.trustDomain = TrustDomain.parse("example.org");
 * cfg.dataDir = Path.of("/var/lib/trustmesh/server");
 * try (TrustmeshServer server = TrustmeshServer.start(cfg.validate())) { server.awaitTermination(); }
 * }</pre>
 */
public final class TrustmeshServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrustmeshServer.class);
  public static final String SERVER_PATH = "/trustmesh/server";
  static final Duration BUNDLE_REFRESH_HINT = Duration.ofMinutes(5);

  private final ServerConfig config;
  private final DataStore store;
  private final SigningAuthority authority;
  private final Issuer issuer;
  private final Metrics metrics;
  private final SpiffeId serverId;
  private final AtomicReference<X509Svid> serverSvid = new AtomicReference<>();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(UnixSockets.daemonThreads("trustmesh-server-tick"));
  private EventLoopGroup nodeGroup;
  private EventLoopGroup adminGroup;
  private Server nodeServer;
  private Server adminServer;
  private HttpServer healthServer;
  private HttpsServer bundleServer;
  private volatile boolean closed;

  private final io.trustmesh.server.ca.JwtAuthority jwt;

  private TrustmeshServer(ServerConfig config, DataStore store, SigningAuthority authority,
      io.trustmesh.server.ca.JwtAuthority jwt) {
    this.jwt = jwt;
    this.config = config;
    this.store = store;
    this.authority = authority;
    this.metrics = new Metrics(() -> authority.activeNotAfter().getEpochSecond());
    this.issuer = new Issuer(authority, store, config.clock, metrics, true);
    this.serverId = config.trustDomain.newSpiffeId("trustmesh", "server");
  }

  /** Opens the datastore, brings the signing CA up to date and starts every listener. */
  public static TrustmeshServer start(ServerConfig config) {
    config.validate();
    try {
      Files.createDirectories(config.dataDir);
    } catch (IOException e) {
      throw new BadInputException("cannot create data directory " + config.dataDir + ": " + e.getMessage());
    }
    Upstream upstream = upstream(config);
    DataStore store = JdbcDataStore.open(config.datastore, config.dataDir);
    TrustmeshServer server = null;
    try {
      KeyManager keys = config.keyManager.equals("memory") ? new MemoryKeyManager()
          : DiskKeyManager.open(config.dataDir.resolve("keys"), Optional.empty());
      SigningAuthority authority = new SigningAuthority(config.trustDomain, upstream, config.caTtl,
          io.trustmesh.server.ca.RotationSchedule.maxSvidTtl(config.caTtl), keys, store, config.clock);
      authority.rotate();
      server = new TrustmeshServer(config, store, authority, new io.trustmesh.server.ca.JwtAuthority(authority, config.clock));
      server.renewServerSvid(true);
      server.startListeners();
      return server;
    } catch (RuntimeException e) {
      if (server != null) {
        server.close();
      } else {
        store.close();
      }
      throw e;
    }
  }

  private static Upstream upstream(ServerConfig config) {
    if (config.upstream.equals("self-signed")) {
      return Upstream.selfSignedRoots();
    }
    List<X509Certificate> chain = Pem.readCertificates(config.upstreamCert);
    CertificateAuthority ca = CertificateAuthority.of(chain, Pem.readPrivateKey(config.upstreamKey, Optional.empty()));
    if (ca.certificate().getBasicConstraints() == 0) {
      throw new BadInputException("upstream " + config.upstreamCert + " has path length 0 and cannot sign the"
          + " server's signing CA; create it with 'trustmesh ca intermediate --path-len 1'");
    }
    if (!ca.permits(config.trustDomain.newSpiffeId("x"))) {
      throw new BadInputException("upstream " + config.upstreamCert + " may not sign for trust domain "
          + config.trustDomain);
    }
    Optional<List<X509Certificate>> roots = Optional.ofNullable(config.upstreamBundle).map(Pem::readCertificates);
    return Upstream.disk(ca, chain, roots);
  }

  private void startListeners() {
    try {
      SslContextBuilder tls = GrpcSslContexts.configure(
          SslContextBuilder.forServer(new SvidKeyManager(() -> Optional.ofNullable(serverSvid.get()))),
          SslProvider.JDK)
          .trustManager(new SpiffeTrustManager(this::bundleSet, SpiffeTrustManager.Authorizer.allowAny(), config.clock))
          .clientAuth(ClientAuth.OPTIONAL)
          .protocols(TlsDefaults.PROTOCOLS);
      nodeGroup = new NioEventLoopGroup(2, UnixSockets.daemonThreads("trustmesh-node-api"));
      nodeServer = NettyServerBuilder.forAddress(ServerConfig.address(config.listen, "listen"))
          .channelType(NioServerSocketChannel.class)
          .withOption(io.netty.channel.ChannelOption.SO_REUSEADDR, true)
          .bossEventLoopGroup(nodeGroup)
          .workerEventLoopGroup(nodeGroup)
          .sslContext(tls.build())
          .addService(ServerInterceptors.intercept(
              new NodeService(store, authority, issuer, config.clock, config.svidTtl, metrics, jwt),
              NodeService.authenticator(store)))
          .build()
          .start();
      LOG.info("node API listening on {} (mTLS)", nodeServer.getListenSockets());

      Path socket = config.adminSocket.toAbsolutePath();
      Files.createDirectories(socket.getParent());
      Files.deleteIfExists(socket);
      // Bound inside a directory only we can enter, made 0600 there, then renamed into place:
      // the socket is never reachable by anyone else, not even between bind and chmod.
      // Short names: a unix socket path has at most 107 bytes, and this one must not be longer
      // than the final path by more than a few characters.
      Path privateDir = privateDirectory(socket.getParent());
      Path bound = privateDir.resolve("s");
      adminGroup = new EpollEventLoopGroup(1, UnixSockets.daemonThreads("trustmesh-admin-api"));
      try {
        adminServer = NettyServerBuilder.forAddress(new DomainSocketAddress(bound.toFile()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(adminGroup)
            .workerEventLoopGroup(adminGroup)
            .addService(new AdminService(store, authority, config.clock, this::bundleResponse))
            .build()
            .start();
        Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
        Files.move(bound, socket, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(bound);
        Files.deleteIfExists(privateDir);
      }
      LOG.info("admin API listening on {}", socket);

      boundHttpServerConnections();
      if (config.admin != null && !config.admin.isEmpty()) {
        healthServer = HttpServer.create(ServerConfig.address(config.admin, "admin"), 16);
        healthServer.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
        healthServer.createContext("/ready", ex -> {
          boolean ready = store.healthy() && authority.activeNotAfter().isAfter(config.clock.instant());
          respond(ex, ready ? 200 : 503, "text/plain", ready ? "ready\n" : "not ready\n");
        });
        healthServer.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4", metrics.render()));
        healthServer.start();
        LOG.info("health and metrics on http://{}:{}", healthServer.getAddress().getAddress().getHostAddress(),
            healthServer.getAddress().getPort());
      }
      if (config.bundleEndpoint != null) {
        bundleServer = HttpsServer.create(ServerConfig.address(config.bundleEndpoint, "bundle endpoint"), 16);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(new javax.net.ssl.KeyManager[] {new SvidKeyManager(() -> Optional.ofNullable(serverSvid.get()))}, null, null);
        bundleServer.setHttpsConfigurator(new HttpsConfigurator(ssl) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters p = ssl.getDefaultSSLParameters();
            p.setProtocols(TlsDefaults.PROTOCOLS.toArray(new String[0]));
            params.setSSLParameters(p);
          }
        });
        bundleServer.createContext("/", ex -> respond(ex, 200, "application/json", spiffeBundleJson()));
        bundleServer.start();
        LOG.info("bundle endpoint on https://{}:{}", bundleServer.getAddress().getAddress().getHostAddress(),
            bundleServer.getAddress().getPort());
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new BadInputException("cannot start the server: " + e.getMessage());
    }
    long tickMillis = Math.max(50, config.tick.toMillis());
    ticker.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
  }

  /** A new directory {@code .admin-XXXXXX} next to the socket that only this user may enter. */
  private static Path privateDirectory(Path parent) throws IOException {
    java.security.SecureRandom random = new java.security.SecureRandom();
    for (int attempt = 0; ; attempt++) {
      Path dir = parent.resolve(".admin-" + java.util.HexFormat.of().toHexDigits(random.nextInt()).substring(0, 6));
      try {
        return Files.createDirectory(dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  /** Applies the CA schedule and renews the server's own SVID; runs periodically, callable from tests. */
  public void tick() {
    if (closed) {
      return;
    }
    try {
      boolean caChanged = authority.rotate();
      renewServerSvid(caChanged);
    } catch (RuntimeException e) {
      LOG.warn("CA rotation tick failed: {}", e.toString());
    }
  }

  private void renewServerSvid(boolean force) {
    X509Svid current = serverSvid.get();
    Instant now = config.clock.instant();
    if (!force && current != null) {
      Instant nb = current.leaf().getNotBefore().toInstant();
      Instant na = current.leaf().getNotAfter().toInstant();
      boolean signedByActive = current.chain().size() > 0
          && current.leaf().getIssuerX500Principal().equals(authority.active().certificate().getSubjectX500Principal());
      if (now.isBefore(nb.plus(Duration.between(nb, na).dividedBy(2))) && signedByActive) {
        return;
      }
    }
    IssuedCertificate c = Issuance.workload(serverId).dnsNames("localhost").ttl(config.svidTtl).clock(config.clock)
        .signedBy(authority.active());
    KeyPair kp = c.keyPair().orElseThrow();
    serverSvid.set(X509Svid.of(c.chain(), kp.getPrivate(), "server SVID"));
  }

  private X509BundleSet bundleSet() {
    return X509BundleSet.of(new X509Bundle(config.trustDomain, authority.bundle()));
  }

  String spiffeBundleJson() {
    return SpiffeBundleJson.render(authority.bundle(), jwt.jwks(), authority.bundleSequence(),
        BUNDLE_REFRESH_HINT);
  }

  private GetBundleResponse bundleResponse() {
    NodeService ns = new NodeService(store, authority, issuer, config.clock, config.svidTtl, metrics, jwt);
    return GetBundleResponse.newBuilder().setBundle(ns.bundle()).setSpiffeJson(spiffeBundleJson()).build();
  }

  public SigningAuthority authority() {
    return authority;
  }

  public DataStore dataStore() {
    return store;
  }

  public Metrics metrics() {
    return metrics;
  }

  public SpiffeId serverId() {
    return serverId;
  }

  public X509Svid serverSvid() {
    return serverSvid.get();
  }

  /** The node API's bound address (useful with port 0). */
  public InetSocketAddress nodeAddress() {
    return (InetSocketAddress) nodeServer.getListenSockets().get(0);
  }

  public Optional<InetSocketAddress> adminHttpAddress() {
    return Optional.ofNullable(healthServer).map(HttpServer::getAddress);
  }

  public Optional<InetSocketAddress> bundleEndpointAddress() {
    return Optional.ofNullable(bundleServer).map(HttpServer::getAddress);
  }

  public void awaitTermination() throws InterruptedException {
    nodeServer.awaitTermination();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ticker.shutdownNow();
    if (healthServer != null) {
      healthServer.stop(0);
    }
    if (bundleServer != null) {
      bundleServer.stop(0);
    }
    for (Server s : new Server[] {nodeServer, adminServer}) {
      if (s != null) {
        s.shutdownNow();
        try {
          s.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    for (EventLoopGroup g : new EventLoopGroup[] {nodeGroup, adminGroup}) {
      if (g != null) {
        g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
    }
    try {
      Files.deleteIfExists(config.adminSocket);
    } catch (IOException ignored) {
      // best effort
    }
    store.close();
    LOG.info("server stopped");
  }

  /**
   * Issue 9 item 11: the JDK's HttpServer (health and bundle endpoints) keeps a connection open
   * for ever by default while a request is unfinished. Bound requests and responses and keep idle
   * connections at most 30 s and 16 in number. The JDK reads these once, when its server class is
   * first used; an operator's own -D setting wins.
   */
  private static void boundHttpServerConnections() {
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "10");
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "30");
    System.getProperties().putIfAbsent("sun.net.httpserver.idleInterval", "30");
    System.getProperties().putIfAbsent("sun.net.httpserver.maxIdleConnections", "16");
  }
}
