package io.trustmesh.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.FileOwnership;
import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 1: the server's data directory is 0700 and every file in it 0600 from creation; an
 * existing directory another user owns, or may write to, is refused with one line naming it, its
 * owner and mode, and left exactly as it was.
 */
class DataDirectoryTest {
  static final int NOBODY = 65534;
  @TempDir Path tmp;

  ServerConfig config(Path dataDir) {
    return config(dataDir, tmp.resolve("admin.sock"));
  }

  /** A server on ephemeral loopback ports, its admin socket at {@code adminSocket}. */
  static ServerConfig config(Path dataDir, Path adminSocket) {
    ServerConfig c = new ServerConfig();
    c.trustDomain = TrustDomain.parse("example.org");
    c.dataDir = dataDir;
    c.listen = "127.0.0.1:0";
    c.admin = "127.0.0.1:0";
    c.adminSocket = adminSocket;
    c.tick = Duration.ofMillis(100);
    return c;
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  static void requireRoot() {
    if (FileOwnership.currentUid() == 0) {
      return;
    }
    if (System.getenv("CI") != null) {
      fail("changing a file's owner needs root, and CI must run this test");
    }
    Assumptions.abort("not root: cannot make a directory another uid's");
  }

  @Test
  void aNewDataDirectoryIsOwnerOnlyAndSoIsEveryFileInIt() throws Exception {
    Path data = tmp.resolve("srv");
    try (TrustmeshServer server = TrustmeshServer.start(config(data))) {
      server.dataStore().audit(new io.trustmesh.server.datastore.AuditEvent(java.time.Instant.now(), "test", "t", "s", "d"));
      List<Path> all;
      try (Stream<Path> s = Files.walk(data)) {
        all = s.toList();
      }
      assertThat(all).contains(data.resolve("datastore.sqlite3"), data.resolve("datastore.sqlite3-wal"),
          data.resolve("datastore.sqlite3-shm"), data.resolve("keys"));
      assertThat(all).noneMatch(p -> p.getFileName().toString().equals("passphrase"));
      for (Path p : all) {
        assertThat(mode(p)).as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
      }
    }
  }

  @Test
  void aDataDirectoryOwnedByAnotherUserIsRefusedAndLeftAlone() throws Exception {
    requireRoot();
    Path data = Files.createDirectory(tmp.resolve("theirs"));
    Files.setAttribute(data, "unix:uid", NOBODY);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    assertThatThrownBy(() -> TrustmeshServer.start(config(data))).isInstanceOf(BadInputException.class)
        .hasMessage("data directory " + data.toAbsolutePath() + " belongs to someone else (owner uid 65534, mode 0700;"
            + " we are uid 0); refusing to use it");
    assertThat(Files.getAttribute(data, "unix:uid")).isEqualTo(NOBODY);
    assertThat(mode(data)).isEqualTo("rwx------");
    try (Stream<Path> s = Files.list(data)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void aDataDirectoryOthersMayWriteIsRefusedAndLeftAlone() throws Exception {
    Path data = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxr-x"));
    assertThatThrownBy(() -> TrustmeshServer.start(config(data))).isInstanceOf(BadInputException.class)
        .hasMessage("data directory " + data.toAbsolutePath() + " is writable by group or others (owner uid "
            + FileOwnership.currentUid() + ", mode 0775); refusing to use it: make it 0700");
    assertThat(mode(data)).isEqualTo("rwxrwxr-x");
    try (Stream<Path> s = Files.list(data)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void aSymbolicLinkInPlaceOfTheDataDirectoryIsRefused() throws Exception {
    Path target = Files.createDirectory(tmp.resolve("elsewhere"));
    Path data = Files.createSymbolicLink(tmp.resolve("link"), target);
    assertThatThrownBy(() -> TrustmeshServer.start(config(data))).isInstanceOf(BadInputException.class)
        .hasMessage("data directory " + data.toAbsolutePath() + " is not a directory (a symbolic link); refusing to use it");
    try (Stream<Path> s = Files.list(target)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void aDataDirectoryUnderAParentOthersMayWriteIsRefused() throws Exception {
    Path parent = Files.createDirectory(tmp.resolve("open"));
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path data = parent.resolve("srv");
    assertThatThrownBy(() -> TrustmeshServer.start(config(data))).isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("the parent " + parent + " of data directory " + data + " can be changed by another user");
    assertThat(data).doesNotExist();
  }

  @Test
  void anEarlierVersionsWideDirectoryAndFilesAreNarrowed() throws Exception {
    Path data = tmp.resolve("old");
    TrustmeshServer.start(config(data)).close();
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(data.resolve("datastore.sqlite3"), PosixFilePermissions.fromString("rw-r--r--"));
    try (TrustmeshServer server = TrustmeshServer.start(config(data))) {
      assertThat(mode(data)).isEqualTo("rwx------");
      assertThat(mode(data.resolve("datastore.sqlite3"))).isEqualTo("rw-------");
    }
  }
}
