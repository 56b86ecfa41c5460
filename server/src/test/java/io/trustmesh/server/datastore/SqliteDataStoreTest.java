package io.trustmesh.server.datastore;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The contract on a real SQLite file. */
class SqliteDataStoreTest extends DataStoreContract {
  @TempDir Path dir;

  @Override
  DataStore open() {
    return JdbcDataStore.open("sqlite", dir);
  }
}
