package io.trustmesh.server.datastore;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on a real PostgreSQL, given by {@code TRUSTMESH_TEST_POSTGRES_URL}
 * ({@code postgres://user:password@127.0.0.1:PORT/db}; {@code .ci/run} starts one with
 * {@code .ci/postgres.sh}). Each test gets a schema of its own. Without the variable the suite is
 * skipped locally and fails in CI.
 */
class PostgresDataStoreTest extends DataStoreContract {
  static final String ENV = "TRUSTMESH_TEST_POSTGRES_URL";
  @TempDir Path dir;

  @Override
  DataStore open() throws Exception {
    return JdbcDataStore.open(fresh().spec(), dir);
  }

  /** A schema of its own in the database {@code TRUSTMESH_TEST_POSTGRES_URL} names. */
  @Override
  Fresh fresh() throws Exception {
    String url = System.getenv(ENV);
    if (url == null || url.isBlank()) {
      if (System.getenv("CI") != null) {
        fail(ENV + " is not set in CI: .ci/run must start PostgreSQL (.ci/postgres.sh)");
      }
      Assumptions.abort(ENV + " is not set: skipping the PostgreSQL datastore contract suite"
          + " (start one with: eval \"$(.ci/postgres.sh start /tmp/pg)\")");
    }
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
    URI u = URI.create(url);
    String[] user = u.getUserInfo().split(":", 2);
    String jdbc = "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath();
    String password = user.length > 1 ? user[1] : null;
    try (Connection c = DriverManager.getConnection(jdbc, user[0], password); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return new Fresh(url + "?currentSchema=" + schema, jdbc + "?currentSchema=" + schema, user[0], password);
  }

  @Override
  Path dataDir() {
    return dir;
  }
}
