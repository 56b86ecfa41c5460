import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
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
    issuance(schema(base), seconds);
    propagation(schema(base));
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
    try {
      for (int s = 0; s < 3; s++) {
        JdbcDataStore store = JdbcDataStore.open(url, dir);
        stores.add(store);
        SigningAuthority ca = new SigningAuthority(TD, Upstream.selfSignedRoots(), Duration.ofHours(168),
            Duration.ofHours(28), new MemoryKeyManager(), store, Clock.systemUTC());
        ca.rotate();
        servers.add(CaIssuanceBench.issuing(Issuer.create(ca, store, Clock.systemUTC(), true), csrs, id, 100));
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
