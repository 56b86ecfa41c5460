package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.server.datastore.JdbcDataStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code trustmesh server} process is killed with SIGKILL while an agent keeps it busy
 * renewing 20 short-lived SVIDs: afterwards the SQLite datastore has a record of every SVID the
 * agent received, and no serial twice.
 */
class ServerKilledMidIssuanceTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  @TempDir Path dir;

  @Test
  void sigkillLosesNoRecordAndDuplicatesNoSerial() throws Exception {
    Path jar = Path.of(System.getProperty("trustmesh.jar", "../cli/target/trustmesh.jar"));
    assertThat(jar).as("the fat jar (built by 'mvn verify' before this module)").exists();
    Path data = dir.resolve("server");
    Path adminSocket = dir.resolve("admin.sock");
    Process server = new ProcessBuilder("java", "-jar", jar.toString(), "server", "--trust-domain", "example.org",
        "--data-dir", data.toString(), "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
        "--admin-socket", adminSocket.toString(), "--key-manager", "memory")
        .redirectErrorStream(true).start();
    TrustmeshAgent agent = null;
    try {
      int port = awaitPort(server);
      Set<String> received = ConcurrentHashMap.newKeySet();
      String token;
      try (AdminClient admin = AdminClient.connect(adminSocket)) {
        token = admin.createJoinToken(ControlPlane.AGENT_ID, Duration.ofMinutes(5)).getToken();
        for (int i = 0; i < 20; i++) {
          admin.createEntry(Entry.newBuilder().setSpiffeId("spiffe://example.org/w/" + i)
              .setParentId(ControlPlane.AGENT_ID).addSelectors("unix:uid:" + UID).setTtlSeconds(2).build());
        }
        Files.write(dir.resolve("bundle.pem"), admin.bundle().getBundle().getX509AuthoritiesList().stream()
            .map(b -> io.trustmesh.core.pem.Pem.encodeCertificates(io.trustmesh.api.grpc.Der.certificates(b)))
            .reduce(new byte[0], ServerKilledMidIssuanceTest::concat));
      }
      AgentConfig c = new AgentConfig();
      c.server = "127.0.0.1:" + port;
      c.trustBundle = dir.resolve("bundle.pem");
      c.joinToken = Optional.of(token);
      c.dataDir = dir.resolve("agent");
      c.socket = "unix://" + dir.resolve("agent.sock");
      c.syncInterval = Duration.ofMillis(100);
      c.maxBackoff = Duration.ofMillis(500);
      agent = TrustmeshAgent.start(c);
      TrustmeshAgent a = agent;
      a.onUpdate(() -> a.snapshot().svids().values().forEach(s -> received.add(serial(s))));
      a.snapshot().svids().values().forEach(s -> received.add(serial(s)));

      await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 200);
      server.destroyForcibly(); // SIGKILL
      assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(server.exitValue()).isEqualTo(137);
      agent.close();
      a.snapshot().svids().values().forEach(s -> received.add(serial(s)));

      try (JdbcDataStore store = JdbcDataStore.open("sqlite", data)) {
        for (String serial : received) {
          assertThat(store.issued(serial)).as("record of serial %s", serial).isPresent();
        }
      }
      try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("datastore.sqlite3"));
          Statement st = conn.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT serial) FROM issued_certificates")) {
        rs.next();
        assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(received.size()).isEqualTo(rs.getLong(2));
      }
    } finally {
      if (agent != null) {
        agent.close();
      }
      server.destroyForcibly();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String serial(X509Svid s) {
    return s.leaf().getSerialNumber().toString(16);
  }

  /** Reads the server's output until it says where it listens; keeps draining it afterwards. */
  private static int awaitPort(Process server) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    Pattern p = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+), admin socket");
    AtomicInteger port = new AtomicInteger(-1);
    StringBuilder seen = new StringBuilder();
    Thread drain = new Thread(() -> {
      try {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (seen) {
            seen.append(line).append('\n');
          }
          Matcher m = p.matcher(line);
          if (m.find()) {
            port.set(Integer.parseInt(m.group(1)));
          }
        }
      } catch (java.io.IOException ignored) {
        // the process ended
      }
    }, "server-output");
    drain.setDaemon(true);
    drain.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> port.get() > 0 || !server.isAlive());
    assertThat(port.get()).as("server output:\n%s", seen).isPositive();
    return port.get();
  }
}
