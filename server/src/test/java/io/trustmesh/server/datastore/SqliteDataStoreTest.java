package io.trustmesh.server.datastore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.io.TempDir;

/** The contract on a real SQLite file. */
class SqliteDataStoreTest extends DataStoreContract {
  @TempDir Path dir;

  @Override
  DataStore open() {
    return JdbcDataStore.open("sqlite", dir);
  }

  @Override
  Fresh fresh() throws Exception {
    Path file = Files.createFile(dir.resolve("fresh.sqlite3"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return new Fresh("sqlite:" + file, "jdbc:sqlite:" + file, null, null);
  }

  @Override
  Path dataDir() {
    return dir;
  }
}
