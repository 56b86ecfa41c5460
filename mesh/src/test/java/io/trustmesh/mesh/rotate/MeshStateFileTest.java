package io.trustmesh.mesh.rotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.FileOwnership;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rotate} reads the admin socket to talk to from a mesh's {@code state.json}: a file someone
 * else could have written (another uid's, group- or world-writable, a symbolic link) is refused,
 * since it would point rotate at a fake server that reports a rotation that never happened.
 */
class MeshStateFileTest {
  static final String STATE = """
      {"version": 1, "future_field": true,
       "server": {"admin_socket": "/abs/run/admin.sock"},
       "services": [{"name": "web", "sidecars": [
          {"kind": "inbound", "admin": "127.0.0.1:9901"}, {"kind": "outbound", "admin": "127.0.0.1:9902"}]}]}
      """;
  @TempDir Path dir;

  @Test
  void readsTheAdminSocketAndTheSidecarsAdminAddresses() throws Exception {
    Files.writeString(dir.resolve("state.json"), STATE);
    MeshStateFile s = MeshStateFile.read(dir);
    assertThat(s.adminSocket()).isEqualTo(Path.of("/abs/run/admin.sock"));
    assertThat(s.sidecars()).containsExactly(new MeshStateFile.Sidecar("web", "inbound", "127.0.0.1:9901"),
        new MeshStateFile.Sidecar("web", "outbound", "127.0.0.1:9902"));
  }

  @Test
  void noMeshIsOneLineNamingTheDirectory() {
    assertThatThrownBy(() -> MeshStateFile.read(dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("no running mesh in " + dir).hasMessageContaining("--admin-socket");
  }

  @Test
  void aStateFileOthersCanWriteIsRefused() throws Exception {
    Path f = Files.writeString(dir.resolve("state.json"), STATE);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThatThrownBy(() -> MeshStateFile.read(dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("mode 0666").hasMessageContaining("no one else can write");
  }

  @Test
  void aSymbolicLinkIsRefused() throws Exception {
    Path real = Files.writeString(dir.resolve("elsewhere.json"), STATE);
    Files.createSymbolicLink(dir.resolve("state.json"), real);
    assertThatThrownBy(() -> MeshStateFile.read(dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("a symbolic link");
  }

  @Test
  void anotherUsersStateFileIsRefused() throws Exception {
    if (FileOwnership.currentUid() != 0) {
      if (System.getenv("CI") != null) {
        throw new AssertionError("chown to another uid needs root, and CI must run this test");
      }
      Assumptions.abort("not root: cannot give the file to another uid");
    }
    Path f = Files.writeString(dir.resolve("state.json"), STATE);
    Files.setAttribute(f, "unix:uid", 65534);
    assertThatThrownBy(() -> MeshStateFile.read(dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("owner uid 65534");
  }
}
