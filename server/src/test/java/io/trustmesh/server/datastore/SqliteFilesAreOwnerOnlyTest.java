package io.trustmesh.server.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.FileOwnership;
import io.trustmesh.core.spiffe.SpiffeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 1: the SQLite datastore and the {@code -wal} and {@code -shm} files SQLite makes
 * beside it are 0600 from their creation, after real writes, whatever the process umask; and the
 * join_tokens table holds no token.
 */
class SqliteFilesAreOwnerOnlyTest {
  @TempDir Path tmp;

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void databaseWalAndShmAreOwnerOnlyAfterRealWrites() throws Exception {
    Path dir = tmp.resolve("data");
    String token = "feedfacefeedfacefeedfacefeedface";
    try (DataStore store = JdbcDataStore.open("sqlite", dir)) {
      for (int i = 0; i < 50; i++) {
        store.createJoinToken(new JoinToken(i == 0 ? token : "t" + i, SpiffeId.parse("spiffe://example.org/agent/n"),
            Instant.now().plusSeconds(600)), "admin");
      }
      Path db = dir.resolve("datastore.sqlite3");
      List<Path> files = List.of(db, dir.resolve("datastore.sqlite3-wal"), dir.resolve("datastore.sqlite3-shm"));
      for (Path f : files) {
        assertThat(f).as("SQLite in WAL mode made it while writing").exists();
        assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------");
      }
      assertThat(mode(dir)).isEqualTo("rwx------");

      List<String> stored = new ArrayList<>();
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT * FROM join_tokens")) {
        while (rs.next()) {
          stored.add(rs.getString(1));
        }
      }
      assertThat(stored).hasSize(50).doesNotContain(token).contains(JoinTokenHash.of(token));
      assertThat(Files.readString(db, java.nio.charset.StandardCharsets.ISO_8859_1)
          + Files.readString(dir.resolve("datastore.sqlite3-wal"), java.nio.charset.StandardCharsets.ISO_8859_1))
          .as("no page of the database or its WAL holds the token").doesNotContain(token);
    }
  }

  @Test
  void filesLeftWithWideModesByAnEarlierVersionAreNarrowed() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("old"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    JdbcDataStore.open("sqlite", dir).close();
    Path db = dir.resolve("datastore.sqlite3");
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
    try (DataStore store = JdbcDataStore.open("sqlite", dir)) {
      assertThat(mode(db)).isEqualTo("rw-------");
    }
  }

  @Test
  void aDatastoreDirectoryOthersMayWriteIsRefusedAndLeftAlone() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> JdbcDataStore.open("sqlite", dir)).isInstanceOf(BadInputException.class)
        .hasMessage("datastore directory " + dir + " is writable by group or others (owner uid " + FileOwnership.currentUid() + ", mode 0777);"
            + " refusing to use it: make it 0700");
    assertThat(mode(dir)).isEqualTo("rwxrwxrwx");
    assertThat(dir.resolve("datastore.sqlite3")).doesNotExist();
  }
}
