package io.trustmesh.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 12 (second half): a server start that fails, here because its node API port is
 * taken, leaves no data directory, datastore or keys behind, and never removes what an earlier run
 * left.
 */
class FailedStartLeavesNothingTest {
  @TempDir Path tmp;

  private ServerConfig config(Path data, int port) {
    ServerConfig c = DataDirectoryTest.config(data, tmp.resolve("admin.sock"));
    c.listen = "127.0.0.1:" + port;
    return c;
  }

  @Test
  void aTakenPortLeavesNoDataDirectoryBehind() throws Exception {
    Path data = tmp.resolve("srv");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> TrustmeshServer.start(config(data, taken.getLocalPort())))
          .isInstanceOf(BadInputException.class)
          .hasMessage("cannot start the server: Failed to bind to address /127.0.0.1:" + taken.getLocalPort());
    }
    assertThat(data).doesNotExist();
  }

  @Test
  void aTakenPortLeavesAnEmptyExistingDirectoryEmpty() throws Exception {
    Path data = Files.createDirectory(tmp.resolve("srv"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> TrustmeshServer.start(config(data, taken.getLocalPort())))
          .isInstanceOf(BadInputException.class);
    }
    try (Stream<Path> s = Files.list(data)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void aFailedRestartKeepsTheEarlierRunsState() throws Exception {
    Path data = tmp.resolve("srv");
    TrustmeshServer.start(config(data, 0)).close();
    byte[] before = Files.readAllBytes(data.resolve("datastore.sqlite3"));
    long keys;
    try (Stream<Path> s = Files.list(data.resolve("keys"))) {
      keys = s.count();
    }
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> TrustmeshServer.start(config(data, taken.getLocalPort())))
          .isInstanceOf(BadInputException.class);
    }
    assertThat(data.resolve("datastore.sqlite3")).exists();
    assertThat(Files.readAllBytes(data.resolve("datastore.sqlite3"))).hasSizeGreaterThanOrEqualTo(before.length);
    try (Stream<Path> s = Files.list(data.resolve("keys"))) {
      assertThat(s.count()).isEqualTo(keys).isPositive();
    }
  }
}
