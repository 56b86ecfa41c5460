package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.api.workload.proto.X509SVID;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.svid.X509Svid;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 4 of issue 13 on real processes: three {@code trustmesh server} processes on one private
 * PostgreSQL, one agent given all three, {@value #WORKLOADS} registration entries whose SVIDs live
 * {@value #TTL_SECONDS} s, read all the while through the real Workload API. Both failures land in
 * one renewal window: as soon as the agent has renewed its first SVIDs, the server it talks to is
 * killed with SIGKILL and PostgreSQL is restarted, while the other renewals are still due. No SVID
 * the Workload API hands out is ever expired or missing, every entry is renewed after the events,
 * no serial is seen twice, an entry created afterwards still arrives, and nothing is restarted.
 *
 * <p>The agent's clock runs {@link #AGENT_CLOCK_AHEAD} ahead of the servers' (a skew well inside the
 * one-minute backdate of every certificate): it renews at half of the lifetime it sees left, so its
 * first renewals come about 40 s after issue instead of 60 s, and the test needs one window, not two.
 * The watcher judges expiry by the real clock.
 */
class HaFailuresUnderLoadTest {
  static final int WORKLOADS = 200;
  static final int TTL_SECONDS = 120;
  static final Duration AGENT_CLOCK_AHEAD = Duration.ofSeconds(40);
  static final String AGENT_ID = "spiffe://example.org/agent/load";
  @TempDir Path dir;

  /** What the watcher saw: problems (must stay empty) and every serial, with its SPIFFE ID. */
  static final class Watch {
    final List<String> problems = new CopyOnWriteArrayList<>();
    final Map<String, String> serials = new ConcurrentHashMap<>();
    volatile int rounds;
  }

  @Test
  void serverKilledAndPostgresRestartedWhileRenewingLoseNoRenewalAndReuseNoSerial() throws Exception {
    try (Postgres pg = Postgres.privateInstance(); Cluster c = new Cluster(dir, pg.url())) {
      TrustmeshAgent agent = c.loadedAgent();
      Watch watch = new Watch();
      ScheduledExecutorService watcher = watch(agent, watch);
      try {
        Set<String> issued = currentSerials(agent);
        // The renewal window opens: the first SVIDs were renewed, most are still due.
        await().atMost(Duration.ofSeconds(TTL_SECONDS)).pollInterval(Duration.ofMillis(200))
            .until(() -> currentSerials(agent).stream().anyMatch(s -> !issued.contains(s)));
        int renewedBeforeEvents = (int) currentSerials(agent).stream().filter(s -> !issued.contains(s)).count();
        // The agent talks to the first server it was given: kill that one, then restart PostgreSQL.
        c.servers.get(0).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        pg.restart();
        assertThat(renewedBeforeEvents).as("renewals still due when the failures hit").isLessThan(WORKLOADS);
        await().atMost(Duration.ofSeconds(TTL_SECONDS)).pollInterval(Duration.ofMillis(500))
            .until(() -> renewedSince(agent, issued));
        // The servers write again: an entry created after the restart reaches the agent.
        try (AdminClient a = AdminClient.connect(c.adminSocket(2))) {
          a.createEntry(Entry.newBuilder().setSpiffeId("spiffe://example.org/after-restart").setParentId(AGENT_ID)
              .addSelectors("unix:uid:" + AuthorizationTest.UID).build());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.snapshot().svids().size() == WORKLOADS + 1);
        int roundsAfter = watch.rounds;
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.rounds > roundsAfter + 2);
      } finally {
        watcher.shutdownNow();
      }
      for (int i = 1; i < c.servers.size(); i++) {
        assertThat(c.servers.get(i).isAlive()).as("server " + i + " still running").isTrue();
      }
      assertThat(watch.problems).isEmpty();
      assertThat(watch.serials).hasSizeGreaterThanOrEqualTo(2 * WORKLOADS);
    }
  }

  /** Fetches every SVID through the Workload API twice a second and notes what is wrong. */
  private static ScheduledExecutorService watch(TrustmeshAgent agent, Watch watch) {
    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor();
    s.scheduleWithFixedDelay(() -> {
      try {
        List<X509SVID> svids = Workloads.fetchOnce(agent.socketPath(), true).getSvidsList();
        Instant now = Instant.now();
        if (svids.size() < WORKLOADS) {
          watch.problems.add(now + ": the Workload API returned " + svids.size() + " SVIDs");
        }
        for (X509SVID svid : svids) {
          X509Certificate leaf = leaf(svid.getX509Svid().toByteArray());
          if (!now.isBefore(leaf.getNotAfter().toInstant())) {
            watch.problems.add(now + ": expired SVID served for " + svid.getSpiffeId());
          }
          String serial = leaf.getSerialNumber().toString(16);
          String had = watch.serials.putIfAbsent(serial, svid.getSpiffeId());
          if (had != null && !had.equals(svid.getSpiffeId())) {
            watch.problems.add("serial " + serial + " seen for " + had + " and " + svid.getSpiffeId());
          }
        }
        watch.rounds++;
      } catch (Exception e) {
        watch.problems.add(Instant.now() + ": Workload API fetch failed: " + e);
      }
    }, 0, 500, TimeUnit.MILLISECONDS);
    return s;
  }

  private static Set<String> currentSerials(TrustmeshAgent agent) {
    Set<String> out = new HashSet<>();
    for (X509Svid s : agent.snapshot().svids().values()) {
      out.add(s.leaf().getSerialNumber().toString(16));
    }
    return out;
  }

  /** Every entry holds an SVID issued after {@code before} was taken (none of those serials is left). */
  private static boolean renewedSince(TrustmeshAgent agent, Set<String> before) {
    Set<String> now = currentSerials(agent);
    return now.size() >= WORKLOADS && now.stream().noneMatch(before::contains);
  }

  private static X509Certificate leaf(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(der)).iterator().next();
  }

  /** Three server processes (the fat jar) on one datastore and one in-process agent given all three. */
  static final class Cluster implements AutoCloseable {
    final Path dir;
    final List<Process> servers = new ArrayList<>();
    final List<Integer> ports = new ArrayList<>();
    TrustmeshAgent agent;

    Cluster(Path dir, String datastore) throws Exception {
      CryptoProviders.install();
      this.dir = dir;
      String jar = System.getProperty("trustmesh.jar");
      assertThat(jar).as("system property trustmesh.jar").isNotBlank();
      for (int i = 0; i < 3; i++) {
        int port = freePort();
        ports.add(port);
        Path log = dir.resolve("server-" + i + ".log");
        servers.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar,
            "server", "--trust-domain", "example.org", "--data-dir", dir.resolve("server-" + i).toString(),
            "--datastore", datastore, "--listen", "127.0.0.1:" + port, "--admin", "127.0.0.1:0",
            "--admin-socket", adminSocket(i).toString(), "--key-manager", "memory")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start());
      }
      for (int i = 0; i < 3; i++) {
        int server = i;
        await().atMost(Duration.ofSeconds(120)).until(() -> {
          if (!servers.get(server).isAlive()) {
            throw new IllegalStateException("server " + server + " exited: "
                + Files.readString(dir.resolve("server-" + server + ".log")));
          }
          return Files.exists(adminSocket(server)) && listening(ports.get(server));
        });
      }
    }

    Path adminSocket(int i) {
      return dir.resolve("admin-" + i + ".sock");
    }

    /** An agent on all three servers with {@value #WORKLOADS} entries, once it holds every SVID. */
    TrustmeshAgent loadedAgent() throws Exception {
      // Every server publishes the three CAs once each has read the others' (one tick).
      List<X509Certificate> bundle = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        bundle.clear();
        try (AdminClient a = AdminClient.connect(adminSocket(0))) {
          for (var der : a.bundle().getBundle().getX509AuthoritiesList()) {
            bundle.add(leaf(der.toByteArray()));
          }
        }
        return bundle.size() >= 3;
      });
      Path trust = dir.resolve("trust-bundle.pem");
      AtomicFiles.write(trust, Pem.encodeCertificates(bundle), false);
      String token;
      try (AdminClient a = AdminClient.connect(adminSocket(1))) {
        token = a.createJoinToken(AGENT_ID, Duration.ofMinutes(10)).getToken();
        for (int i = 0; i < WORKLOADS; i++) {
          a.createEntry(Entry.newBuilder().setSpiffeId("spiffe://example.org/workload/" + i).setParentId(AGENT_ID)
              .addSelectors("unix:uid:" + AuthorizationTest.UID).setTtlSeconds(TTL_SECONDS).build());
        }
      }
      AgentConfig c = new AgentConfig();
      c.server = "127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1) + ",127.0.0.1:" + ports.get(2);
      c.trustBundle = trust;
      c.joinToken = Optional.of(token);
      c.dataDir = dir.resolve("agent");
      c.socket = "unix://" + dir.resolve("agent.sock");
      c.syncInterval = Duration.ofMillis(500);
      c.maxBackoff = Duration.ofSeconds(2);
      c.clock = Clock.offset(Clock.systemUTC(), AGENT_CLOCK_AHEAD);
      agent = TrustmeshAgent.start(c);
      await().atMost(Duration.ofSeconds(120)).until(() -> agent.snapshot().svids().size() == WORKLOADS);
      return agent;
    }

    private static int freePort() throws IOException {
      try (ServerSocket s = new ServerSocket(0)) {
        return s.getLocalPort();
      }
    }

    private static boolean listening(int port) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void close() throws Exception {
      if (agent != null) {
        agent.close();
      }
      for (Process p : servers) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
