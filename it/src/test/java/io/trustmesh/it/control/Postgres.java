package io.trustmesh.it.control;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL the HA suite runs on: the one {@code .ci/run} starts ({@code TRUSTMESH_TEST_POSTGRES_URL}),
 * with a schema of its own per test, or a private instance the test starts and may restart
 * ({@code .ci/postgres.sh start|restart|stop}). Missing PostgreSQL fails the test in CI, and skips
 * it (with a message) elsewhere.
 */
final class Postgres implements AutoCloseable {
  static final String ENV = "TRUSTMESH_TEST_POSTGRES_URL";
  private final String url;
  private final Path privateDir;

  private Postgres(String url, Path privateDir) {
    this.url = url;
    this.privateDir = privateDir;
  }

  /** A fresh schema on the shared PostgreSQL. */
  static Postgres shared() throws SQLException {
    String base = System.getenv(ENV);
    if (base == null || base.isBlank()) {
      missing(ENV + " is not set");
    }
    return new Postgres(withSchema(base), null);
  }

  /**
   * A PostgreSQL of this test's own, started with {@code .ci/postgres.sh} in a new directory under
   * the system temporary directory (the script hands it to the postgres user, which could not
   * enter a JUnit {@code @TempDir}: those are 0700 and root's).
   */
  static Postgres privateInstance() throws Exception {
    Path dir = Files.createTempDirectory("trustmesh-ha-pg");
    Path script = script();
    Process p = new ProcessBuilder(script.toString(), "start", dir.toString()).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.contains("postgres://")) {
      new ProcessBuilder(script.toString(), "stop", dir.toString()).start().waitFor(60, TimeUnit.SECONDS);
      missing("cannot start a private PostgreSQL with " + script + " (" + out + "): " + err);
    }
    String base = out.substring(out.indexOf("postgres://"));
    return new Postgres(withSchema(base), dir);
  }

  private static Path script() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path s = p.resolve(".ci/postgres.sh");
      if (Files.isExecutable(s)) {
        return s;
      }
    }
    throw new IllegalStateException(".ci/postgres.sh not found above " + Path.of("").toAbsolutePath());
  }

  private static void missing(String why) {
    if (System.getenv("CI") != null) {
      fail(why + " in CI: .ci/run must provide PostgreSQL (.ci/postgres.sh)");
    }
    Assumptions.abort(why + ": skipping the HA suite (eval \"$(.ci/postgres.sh start /tmp/pg)\" to run it)");
  }

  private static String withSchema(String base) throws SQLException {
    String schema = "ha_" + UUID.randomUUID().toString().replace("-", "");
    URI u = URI.create(base);
    String[] user = u.getUserInfo().split(":", 2);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort()
        + u.getPath(), user[0], user.length > 1 ? user[1] : null); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return base + "?currentSchema=" + schema;
  }

  /** {@code postgres://...?currentSchema=...} for {@code --datastore}. */
  String url() {
    return url;
  }

  /** Restarts the private instance (fast shutdown: open connections are cut). */
  void restart() throws IOException, InterruptedException {
    if (privateDir == null) {
      throw new IllegalStateException("only a private instance can be restarted");
    }
    Process p = new ProcessBuilder(script().toString(), "restart", privateDir.toString()).inheritIO().start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("pg_ctl restart failed");
    }
  }

  @Override
  public void close() throws Exception {
    if (privateDir != null) {
      new ProcessBuilder(script().toString(), "stop", privateDir.toString()).inheritIO().start()
          .waitFor(120, TimeUnit.SECONDS);
      try (Stream<Path> tree = Files.walk(privateDir)) {
        tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
