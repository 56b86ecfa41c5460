package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.RotationStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forced rotation is an admin operation: another local uid (nobody, through setpriv) running
 * {@code trustmesh rotate} against the server's admin socket gets nothing done, even with the
 * socket's directory opened to everyone: the Rotate RPC is served on the admin socket only, whose
 * own mode (0600) refuses the connection. The same command as the server's user rotates.
 */
class RotateIsAdminOnlyTest {
  @TempDir Path dir;

  @Test
  void anotherUidCannotRotateTheServersOwnerCan() throws Exception {
    AnotherUser.requireRoot();
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      Path socket = cp.serverConfig.adminSocket;
      String activeBefore = cp.server.authority().activeId();
      // Only the socket's own mode is left between the attacker and the RPC.
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      try {
        AnotherUser.Result attack = AnotherUser.run(java(), "-jar", System.getProperty("trustmesh.jar"), "rotate",
            "--ca", "--svids", "--admin-socket", socket.toString());
        assertThat(attack.exit()).as(attack.output()).isEqualTo(2);
        assertThat(attack.output()).contains(socket.toString()).doesNotContain("Exception");
      } finally {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      }
      assertThat(cp.server.authority().activeId()).as("the signing CA did not change").isEqualTo(activeBefore);
      try (AdminClient admin = cp.admin()) {
        RotationStatus s = admin.rotationStatus();
        assertThat(s.getRotatedTo()).as("no rotation was asked").isEmpty();
        assertThat(s.getCasList()).hasSize(1);
      }
      assertThat(cp.server.dataStore().svidsNotBefore()).as("no re-issue was forced").isEqualTo(Instant.EPOCH);

      // The server's own user: the same command goes through.
      Process p = new ProcessBuilder(java(), "-jar", System.getProperty("trustmesh.jar"), "rotate", "--ca", "--svids",
          "--admin-socket", socket.toString(), "--propagation", "1s").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("new  ca-").contains("prepared, signs from");
      assertThat(cp.server.authority().states()).hasSize(2);
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
