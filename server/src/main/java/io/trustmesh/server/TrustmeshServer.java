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
import io.trustmesh.api.uds.PrivateSocket;
import io.trustmesh.api.uds.SocketDirectory;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.io.PrivateDirectory;
import io.trustmesh.core.io.SecretFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.TlsDefaults;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.ca.Upstream;
import io.trustmesh.server.ca.UpstreamRoots;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.federation.BundleFetcher;
import io.trustmesh.server.federation.FederationRefresher;
import io.trustmesh.server.keymanager.DiskKeyManager;
import io.trustmesh.server.keymanager.KeyManager;
import io.trustmesh.server.keymanager.MemoryKeyManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
  /** Where the disk key manager keeps the signing keys, under the data directory. */
  static final String KEY_DIRECTORY = "keys";
  /** How often expired join tokens are deleted (a used token is deleted when it is redeemed). */
  static final Duration TOKEN_SWEEP_INTERVAL = Duration.ofMinutes(1);

  private final ServerConfig config;
  private final DataStore store;
  private final SigningAuthority authority;
  private final Issuer issuer;
  private final Metrics metrics;
  private final SpiffeId serverId;
  private final IdentityRules identities;
  private final ForcedRotation forcedRotation;
  private final AtomicReference<X509Svid> serverSvid = new AtomicReference<>();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(UnixSockets.daemonThreads("trustmesh-server-tick"));
  private final ScheduledExecutorService federationTicker =
      Executors.newSingleThreadScheduledExecutor(UnixSockets.daemonThreads("trustmesh-server-federation"));
  private final FederationRefresher federation;
  private EventLoopGroup nodeGroup;
  private EventLoopGroup adminGroup;
  private Server nodeServer;
  private Server adminServer;
  private PrivateSocket adminSocket;
  private HttpServer healthServer;
  private HttpsServer bundleServer;
  private volatile boolean closed;
  private Instant nextTokenSweep = Instant.MIN;

  private final io.trustmesh.server.ca.JwtAuthority jwt;

  private TrustmeshServer(ServerConfig config, DataStore store, SigningAuthority authority,
      io.trustmesh.server.ca.JwtAuthority jwt) {
    this.jwt = jwt;
    this.config = config;
    this.store = store;
    this.authority = authority;
    this.metrics = new Metrics(() -> authority.activeNotAfter().getEpochSecond());
    this.issuer = new Issuer(authority, store, config.clock, metrics);
    this.serverId = config.trustDomain.newSpiffeId("trustmesh", "server");
    this.identities = new IdentityRules(config.trustDomain, store, config.clock);
    this.forcedRotation = new ForcedRotation(authority, store, config.clock);
    this.federation = new FederationRefresher(store, new BundleFetcher(config.clock), config.clock);
  }

  /**
   * Opens the datastore, brings the signing CA up to date and starts every listener. The data
   * directory is created 0700 (an existing one must be this user's and writable by no one else),
   * every file in it 0600. A start that fails removes the state it created.
   */
  public static TrustmeshServer start(ServerConfig config) {
    config.validate();
    // Every input is read before anything is created: a bad one leaves nothing behind. A second
    // server must not take over a live one's admin socket (binding checks again, atomically).
    PrivateSocket.preflight(config.adminSocket, SocketDirectory.PRIVATE, "--admin-socket");
    Upstream upstream = upstream(config);
    Optional<char[]> keyPassphrase = Optional.ofNullable(config.keyPassphraseFile)
        .map(f -> SecretFiles.passphrase(f, SecretFiles.Use.ENCRYPT));
    CreatedOnStart created = CreatedOnStart.note(config);
    DataStore store;
    try {
      if (PrivateDirectory.ensure(config.dataDir, "data directory") == PrivateDirectory.Outcome.NARROWED) {
        LOG.warn("data directory {} was readable by others (an earlier version's 0755); narrowed it to 0700",
            config.dataDir);
      }
      store = JdbcDataStore.open(config.datastore, config.dataDir);
    } catch (RuntimeException e) {
      created.remove();
      throw e;
    }
    TrustmeshServer server = null;
    try {
      KeyManager keys = keyManager(config, keyPassphrase);
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
      created.remove();
      throw e;
    }
  }

  private static KeyManager keyManager(ServerConfig config, Optional<char[]> passphrase) {
    if (config.keyManager.equals("memory")) {
      return new MemoryKeyManager();
    }
    DiskKeyManager disk = DiskKeyManager.open(config.dataDir.resolve(KEY_DIRECTORY), passphrase);
    if (!disk.encrypted()) {
      LOG.warn("signing keys in {} are protected by file permissions only (mode 0600, not encrypted);"
          + " pass --key-passphrase-file to encrypt them at rest", config.dataDir.resolve(KEY_DIRECTORY));
    }
    return disk;
  }

  private static Upstream upstream(ServerConfig config) {
    if (config.upstream.equals("self-signed")) {
      return Upstream.selfSignedRoots();
    }
    List<X509Certificate> chain = Pem.readCertificates(config.upstreamCert);
    SecretFiles.requireOwnerOnly(config.upstreamKey, "upstream key");
    CertificateAuthority ca = CertificateAuthority.of(chain, Pem.readPrivateKey(config.upstreamKey, Optional.empty()));
    if (ca.certificate().getBasicConstraints() == 0) {
      throw new BadInputException("upstream " + config.upstreamCert + " has path length 0 and cannot sign the"
          + " server's signing CA; create it with 'trustmesh ca intermediate --path-len 1'");
    }
    if (!ca.permits(config.trustDomain.newSpiffeId("x"))) {
      throw new BadInputException("upstream " + config.upstreamCert + " may not sign for trust domain "
          + config.trustDomain);
    }
    List<X509Certificate> roots = UpstreamRoots.find(config.upstreamCert, chain,
        Optional.ofNullable(config.upstreamBundle));
    return Upstream.disk(ca, roots);
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
              new NodeService(store, authority, issuer, config.clock, config.svidTtl, metrics, jwt, identities),
              new AgentAuthenticator(store, config.clock)))
          .build()
          .start();
      LOG.info("node API listening on {} (mTLS)", nodeServer.getListenSockets());

      // Checked directory, live-server refusal, bind in a private directory, mode set there, link
      // into place: see PrivateSocket. The admin socket is for this user only.
      adminGroup = new EpollEventLoopGroup(1, UnixSockets.daemonThreads("trustmesh-admin-api"));
      adminSocket = PrivateSocket.bind(config.adminSocket, SocketDirectory.PRIVATE, "rw-------", "--admin-socket",
          at -> {
            adminServer = NettyServerBuilder.forAddress(new DomainSocketAddress(at.toFile()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(adminGroup)
                .workerEventLoopGroup(adminGroup)
                .addService(new AdminService(store, authority, config.clock, this::bundleResponse, identities,
                    forcedRotation))
                .build()
                .start();
            return adminServer::shutdownNow;
          });
      Path socket = adminSocket.path();
      LOG.info("admin API listening on {}", socket);

      boundHttpServerConnections();
      if (config.admin != null && !config.admin.isEmpty()) {
        healthServer = HttpServer.create(ServerConfig.address(config.admin, "admin"), 16);
        healthServer.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
        healthServer.createContext("/ready", ex -> {
          boolean ready = store.healthy() && authority.activeNotAfter().isAfter(config.clock.instant());
          respond(ex, ready ? 200 : 503, "text/plain", ready ? "ready\n" : "not ready\n");
        });
        healthServer.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4",
            metrics.render() + federation.renderMetrics()));
        healthServer.start();
        LOG.info("health and metrics on http://{}:{}", healthServer.getAddress().getAddress().getHostAddress(),
            healthServer.getAddress().getPort());
      }
      if (config.bundleEndpoint != null) {
        bundleServer = HttpsServer.create(ServerConfig.address(config.bundleEndpoint, "bundle endpoint"), 16);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(new javax.net.ssl.KeyManager[] {bundleEndpointKeys()}, null, null);
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
    // Its own thread: a slow or unreachable foreign endpoint (up to the fetch timeout) never delays
    // CA rotation.
    federationTicker.scheduleWithFixedDelay(this::refreshFederatedBundles, 0, tickMillis, TimeUnit.MILLISECONDS);
  }

  /** Fetches the federated bundles that are due; runs periodically, callable from tests. */
  public void refreshFederatedBundles() {
    if (closed) {
      return;
    }
    try {
      federation.tick();
    } catch (RuntimeException e) {
      LOG.warn("federated bundle refresh failed: {}", e.toString());
    }
  }

  /**
   * {@code https_spiffe}: the server's own SVID ({@code spiffe://TD/trustmesh/server}), which peers
   * check against our bundle; {@code https_web}: the operator's web-PKI certificate and key.
   */
  private javax.net.ssl.KeyManager bundleEndpointKeys() {
    if (config.bundleEndpointProfile.equals("https_web")) {
      SecretFiles.requireOwnerOnly(config.bundleEndpointKey, "bundle endpoint key");
      X509Svid web = X509Svid.of(Pem.readCertificates(config.bundleEndpointCert),
          Pem.readPrivateKey(config.bundleEndpointKey, Optional.empty()), "bundle endpoint certificate");
      return new SvidKeyManager(() -> Optional.of(web));
    }
    return new SvidKeyManager(() -> Optional.ofNullable(serverSvid.get()));
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
      forcedRotation.tick();
      renewServerSvid(caChanged);
    } catch (RuntimeException e) {
      LOG.warn("CA rotation tick failed: {}", e.toString());
    }
    Instant now = config.clock.instant();
    if (!now.isBefore(nextTokenSweep)) {
      nextTokenSweep = now.plus(TOKEN_SWEEP_INTERVAL);
      try {
        int expired = store.deleteExpiredJoinTokens(now);
        if (expired > 0) {
          LOG.info("deleted {} expired join token(s)", expired);
        }
      } catch (RuntimeException e) {
        LOG.warn("deleting expired join tokens failed: {}", e.toString());
      }
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
        config.bundleRefreshHint);
  }

  private GetBundleResponse bundleResponse() {
    NodeService ns = new NodeService(store, authority, issuer, config.clock, config.svidTtl, metrics, jwt, identities);
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
    federationTicker.shutdownNow();
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
    if (adminSocket != null) {
      adminSocket.close();
    }
    issuer.close();
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
