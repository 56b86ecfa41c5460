import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.Federation;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.ca.Csrs;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.Issuer;
import io.trustmesh.server.ServerConfig;
import io.trustmesh.server.TrustmeshServer;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.ca.Upstream;
import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.keymanager.MemoryKeyManager;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntSupplier;

/**
 * Issuance with 1, 2 and 3 servers on one PostgreSQL (each "server" is its own signing CA, issuer
 * and connection pool, as a {@code trustmesh server} process has; one issuing thread each, batches
 * of 100 CSRs, every SVID recorded in PostgreSQL before it counts), per server and in total, beside
 * the crypto floor measured the same way with as many threads. Then the propagation time: 1,000
 * entries created (and then deleted) through server A's admin API until the agent attached to
 * server B serves all (none) of them, at the default 5 s sync interval.
 * Not part of CI; run bench/control-plane/run.sh.
 */
public final class ControlPlaneBench {
  static final TrustDomain TD = TrustDomain.parse("example.org");

  public static void main(String[] args) throws Exception {
    System.out.println("crypto provider: " + CryptoProviders.install());
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String base = System.getenv("TRUSTMESH_TEST_POSTGRES_URL");
    System.out.printf("cores: %d, load average before: %s%n", Runtime.getRuntime().availableProcessors(), load());
    // Which parts to run: all, or a comma-separated list of issuance, propagation, federation, fanout.
    List<String> parts = List.of((args.length > 1 ? args[1] : "all").split(","));
    boolean all = parts.contains("all");
    if (all || parts.contains("issuance")) {
      issuance(schema(base), seconds);
    }
    if (all || parts.contains("propagation")) {
      propagation(schema(base));
    }
    if (all || parts.contains("federation")) {
      federatedPropagation(base);
    }
    if (all || parts.contains("fanout")) {
      RotationFanOut.run(schema(base));
    }
    System.out.printf("load average after: %s%n", load());
  }

  static String load() throws Exception {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }

  static void issuance(String url, int seconds) throws Exception {
    Path dir = Files.createTempDirectory("trustmesh-bench");
    List<byte[]> csrs = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      csrs.add(Csrs.create(KeyType.DEFAULT.generate()));
    }
    SpiffeId id = TD.newSpiffeId("ns", "bench", "sa", "web");
    List<JdbcDataStore> stores = new ArrayList<>();
    List<IntSupplier> servers = new ArrayList<>();
    IntSupplier unrecorded = null;
    try {
      for (int s = 0; s < 3; s++) {
        JdbcDataStore store = JdbcDataStore.open(url, dir);
        stores.add(store);
        SigningAuthority ca = new SigningAuthority(TD, Upstream.selfSignedRoots(), Duration.ofHours(168),
            Duration.ofHours(28), new MemoryKeyManager(), store, Clock.systemUTC());
        ca.rotate();
        servers.add(CaIssuanceBench.issuing(Issuer.create(ca, store, Clock.systemUTC()), csrs, id, 100));
        if (s == 0) {
          unrecorded = CaIssuanceBench.issuing(Issuer.create(ca, NoPersistence.discardingIssued(store),
              Clock.systemUTC()), csrs, id, 100);
        }
      }
      // Issue 14 item 5: the production path (recorded in PostgreSQL) against the crypto floor and
      // against the same issuer without persistence, alternating in the same rounds.
      IntSupplier floor1 = CaIssuanceBench.cryptoFloor();
      for (int round = 0; round <= 3; round++) {
        double f = CaIssuanceBench.measure(floor1, seconds);
        double p = CaIssuanceBench.measure(servers.get(0), seconds);
        double u = CaIssuanceBench.measure(unrecorded, seconds);
        if (round > 0) { // round 0 warms up
          System.out.printf("round %d, 1 thread: crypto floor %.0f/s, issuance without persistence %.0f/s,"
              + " with PostgreSQL persistence %.0f/s (%.2f of the floor)%n", round, f, u, p, p / f);
        }
      }
      for (int n = 1; n <= 3; n++) {
        List<IntSupplier> floors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          floors.add(CaIssuanceBench.cryptoFloor());
        }
        // warm-up, then the measurement
        concurrently(floors, 1);
        concurrently(servers.subList(0, n), 1);
        double[] floor = concurrently(floors, seconds);
        double[] rates = concurrently(servers.subList(0, n), seconds);
        double total = 0;
        double floorTotal = 0;
        StringBuilder per = new StringBuilder();
        for (int i = 0; i < n; i++) {
          total += rates[i];
          floorTotal += floor[i];
          per.append(String.format(" %.0f", rates[i]));
        }
        System.out.printf("%d server(s): total %.0f SVIDs/s (per server:%s), crypto floor with %d thread(s) %.0f/s"
            + " (%.2f of it)%n", n, total, per, n, floorTotal, total / floorTotal);
      }
      System.out.println("records in PostgreSQL: " + stores.get(0).countIssued());
    } finally {
      stores.forEach(JdbcDataStore::close);
    }
  }

  /** Runs each supplier on a thread of its own for {@code seconds}; their rates. */
  static double[] concurrently(List<IntSupplier> work, int seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(work.size());
    try {
      List<Future<Double>> f = new ArrayList<>();
      for (IntSupplier w : work) {
        Callable<Double> c = () -> CaIssuanceBench.measure(w, seconds);
        f.add(pool.submit(c));
      }
      double[] out = new double[work.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = f.get(i).get();
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static void propagation(String url) throws Exception {
    Path dir = Files.createTempDirectory("trustmesh-bench-ha");
    List<TrustmeshServer> servers = new ArrayList<>();
    TrustmeshAgent agent = null;
    try {
      for (int i = 0; i < 2; i++) {
        ServerConfig c = new ServerConfig();
        c.trustDomain = TD;
        c.dataDir = dir.resolve("server-" + i);
        c.datastore = url;
        c.listen = "127.0.0.1:0";
        c.admin = "127.0.0.1:0";
        c.adminSocket = dir.resolve("admin-" + i + ".sock");
        c.keyManager = "memory";
        servers.add(TrustmeshServer.start(c));
      }
      while (servers.get(0).authority().bundle().size() < 2) {
        Thread.sleep(100);
      }
      Path trust = dir.resolve("bundle.pem");
      AtomicFiles.write(trust, Pem.encodeCertificates(servers.get(0).authority().bundle()), false);
      String agentId = "spiffe://example.org/agent/bench";
      AgentConfig a = new AgentConfig();
      a.server = "127.0.0.1:" + servers.get(1).nodeAddress().getPort();
      a.trustBundle = trust;
      try (AdminClient admin = AdminClient.connect(dir.resolve("admin-0.sock"))) {
        a.joinToken = Optional.of(admin.createJoinToken(agentId, Duration.ofMinutes(10)).getToken());
      }
      a.dataDir = dir.resolve("agent");
      a.socket = "unix://" + dir.resolve("agent.sock");
      agent = TrustmeshAgent.start(a);
      System.out.println("agent sync interval: " + a.syncInterval.toMillis() + " ms");
      List<String> ids = new ArrayList<>();
      long start = System.nanoTime();
      try (AdminClient admin = AdminClient.connect(dir.resolve("admin-0.sock"))) {
        for (int i = 0; i < 1000; i++) {
          ids.add(admin.createEntry(Entry.newBuilder().setSpiffeId("spiffe://example.org/w/" + i).setParentId(agentId)
              .addSelectors("unix:uid:" + (10000 + i)).build()).getId());
        }
      }
      long created = System.nanoTime();
      while (agent.snapshot().svids().size() < 1000) {
        Thread.sleep(20);
      }
      long served = System.nanoTime();
      System.out.printf("1,000 entries created through server A in %.2f s; the agent on server B served all"
          + " 1,000 SVIDs %.2f s after the last one was created (%.2f s from the first)%n",
          (created - start) / 1e9, (served - created) / 1e9, (served - start) / 1e9);
      start = System.nanoTime();
      try (AdminClient admin = AdminClient.connect(dir.resolve("admin-0.sock"))) {
        for (String id : ids) {
          admin.deleteEntry(id);
        }
      }
      long deleted = System.nanoTime();
      while (!agent.snapshot().svids().isEmpty()) {
        Thread.sleep(20);
      }
      long gone = System.nanoTime();
      System.out.printf("1,000 entries deleted through server A in %.2f s; the agent on server B stopped serving"
          + " all of them %.2f s after the last deletion%n", (deleted - start) / 1e9, (gone - deleted) / 1e9);
    } finally {
      if (agent != null) {
        agent.close();
      }
      servers.forEach(TrustmeshServer::close);
    }
  }

  /**
   * Federated-bundle propagation: partner.org's bundle changes (a second partner.org server joins its
   * datastore, so its CA enters the published union) until an example.org agent whose entry
   * federates with partner.org holds the new bundle: partner tick (1 s) + example.org's fetch at the
   * refresh hint (1 s here) + the agent's sync (5 s default).
   */
  static void federatedPropagation(String base) throws Exception {
    Path dir = Files.createTempDirectory("trustmesh-bench-fed");
    String partnerStore = schema(base);
    List<TrustmeshServer> servers = new ArrayList<>();
    TrustmeshAgent agent = null;
    try {
      ServerConfig p = new ServerConfig();
      p.trustDomain = TrustDomain.parse("partner.org");
      p.dataDir = dir.resolve("partner-0");
      p.datastore = partnerStore;
      p.listen = "127.0.0.1:0";
      p.admin = "127.0.0.1:0";
      p.adminSocket = dir.resolve("partner-0.sock");
      p.keyManager = "memory";
      p.bundleEndpoint = "127.0.0.1:0";
      p.bundleRefreshHint = Duration.ofSeconds(1);
      TrustmeshServer partner = TrustmeshServer.start(p);
      servers.add(partner);
      ServerConfig h = new ServerConfig();
      h.trustDomain = TD;
      h.dataDir = dir.resolve("home");
      h.datastore = schema(base);
      h.listen = "127.0.0.1:0";
      h.admin = "127.0.0.1:0";
      h.adminSocket = dir.resolve("home.sock");
      h.keyManager = "memory";
      TrustmeshServer home = TrustmeshServer.start(h);
      servers.add(home);
      String agentId = "spiffe://example.org/agent/fed";
      AgentConfig a = new AgentConfig();
      a.server = "127.0.0.1:" + home.nodeAddress().getPort();
      Path trust = dir.resolve("bundle.pem");
      AtomicFiles.write(trust, Pem.encodeCertificates(home.authority().bundle()), false);
      a.trustBundle = trust;
      String json;
      try (AdminClient admin = AdminClient.connect(p.adminSocket)) {
        json = admin.bundle().getSpiffeJson();
      }
      try (AdminClient admin = AdminClient.connect(h.adminSocket)) {
        admin.createFederation(Federation.newBuilder().setTrustDomain("partner.org")
            .setBundleEndpointUrl("https://127.0.0.1:" + partner.bundleEndpointAddress().orElseThrow().getPort())
            .setProfile("https_spiffe").setInitialBundleJson(json).build());
        admin.createEntry(Entry.newBuilder().setSpiffeId("spiffe://example.org/fed").setParentId(agentId)
            .addSelectors("unix:uid:20000").addFederatesWith("partner.org").build());
        a.joinToken = Optional.of(admin.createJoinToken(agentId, Duration.ofMinutes(10)).getToken());
      }
      a.dataDir = dir.resolve("agent");
      a.socket = "unix://" + dir.resolve("agent.sock");
      agent = TrustmeshAgent.start(a);
      TrustmeshAgent held = agent;
      while (held.snapshot().federated().getOrDefault("partner.org", List.of()).size() != 1) {
        Thread.sleep(20);
      }
      ServerConfig p2 = new ServerConfig();
      p2.trustDomain = p.trustDomain;
      p2.dataDir = dir.resolve("partner-1");
      p2.datastore = partnerStore;
      p2.listen = "127.0.0.1:0";
      p2.admin = "127.0.0.1:0";
      p2.adminSocket = dir.resolve("partner-1.sock");
      p2.keyManager = "memory";
      servers.add(TrustmeshServer.start(p2));
      long started = System.nanoTime();
      while (partner.authority().bundle().size() < 2) {
        Thread.sleep(5);
      }
      long published = System.nanoTime();
      while (held.snapshot().federated().getOrDefault("partner.org", List.of()).size() != 2) {
        Thread.sleep(5);
      }
      long arrived = System.nanoTime();
      System.out.printf("federated bundle: partner.org's bundle changed %.2f s after its second server started;"
          + " the example.org agent held it %.2f s later (refresh hint 1 s, agent sync %d ms)%n",
          (published - started) / 1e9, (arrived - published) / 1e9, a.syncInterval.toMillis());
    } finally {
      if (agent != null) {
        agent.close();
      }
      servers.forEach(TrustmeshServer::close);
    }
  }

  static String schema(String base) throws Exception {
    String schema = "bench_" + UUID.randomUUID().toString().replace("-", "");
    URI u = URI.create(base);
    String[] user = u.getUserInfo().split(":", 2);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort()
        + u.getPath(), user[0], user.length > 1 ? user[1] : null); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return base + "?currentSchema=" + schema;
  }
}
