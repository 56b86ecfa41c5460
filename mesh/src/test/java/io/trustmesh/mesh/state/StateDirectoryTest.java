package io.trustmesh.mesh.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.FileOwnership;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory is this user's alone, and what it removes it removes without following links.
 * Attacks: another uid pre-creates {@code .trustmesh} (with a state.json of its choosing, naming a
 * process for {@code down} to kill or a bundle for the sidecars), or makes it group-writable; a link
 * planted in it points {@code clearRun} at files outside.
 */
class StateDirectoryTest {
  @TempDir Path tmp;

  private static void requireRoot() {
    boolean root = FileOwnership.currentUid() == 0;
    if (System.getenv("CI") != null && !root) {
      throw new AssertionError("this test acts as another uid (chown); CI must run it as root");
    }
    assumeTrue(root, "needs root to chown a directory to another uid");
  }

  @Test
  void createdOwnerOnly() throws Exception {
    StateDirectory d = StateDirectory.create(tmp.resolve(".trustmesh"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.path()))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.privateSubdirectory("run"))))
        .isEqualTo("rwx------");
  }

  @Test
  void aDirectoryAnotherUserCreatedIsRefusedAndItsStateNeverRead() throws Exception {
    requireRoot();
    Path planted = Files.createDirectory(tmp.resolve(".trustmesh"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.writeString(planted.resolve("state.json"), "{\"version\":1,\"pid\":1,\"pid_start\":\"x\"}");
    Files.setAttribute(planted.resolve("state.json"), "unix:uid", 65534);
    Files.setAttribute(planted, "unix:uid", 65534);
    assertThatThrownBy(() -> StateDirectory.create(planted)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("belongs to someone else");
    assertThatThrownBy(() -> StateDirectory.existing(planted)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("belongs to someone else");
  }

  @Test
  void aGroupWritableDirectoryIsRefusedUnchanged() throws Exception {
    Path d = Files.createDirectory(tmp.resolve(".trustmesh"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwx---")));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwx---"));
    assertThatThrownBy(() -> StateDirectory.create(d)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("writable by group or others");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).isEqualTo("rwxrwx---");
  }

  @Test
  void clearRunRemovesALinkNotWhatItPointsTo() throws Exception {
    StateDirectory d = StateDirectory.create(tmp.resolve(".trustmesh"));
    Path outside = Files.createDirectory(tmp.resolve("precious"));
    Files.writeString(outside.resolve("keep.txt"), "keep");
    Files.createSymbolicLink(d.path().resolve("server"), outside);
    Path run = d.privateSubdirectory("run");
    Files.createSymbolicLink(run.resolve("link"), outside);
    Files.writeString(d.path().resolve("state.json"), "{}");

    d.clearRun();

    assertThat(d.path().resolve("server")).doesNotExist();
    assertThat(run).doesNotExist();
    assertThat(d.path().resolve("state.json")).doesNotExist();
    assertThat(outside.resolve("keep.txt")).hasContent("keep");
  }

  @Test
  void oneLockHolderAtATime() throws Exception {
    StateDirectory d = StateDirectory.create(tmp.resolve(".trustmesh"));
    assertThat(d.locked()).isFalse();
    Optional<AutoCloseable> first = d.tryLock();
    assertThat(first).isPresent();
    assertThat(d.tryLock()).isEmpty();
    assertThat(d.locked()).isTrue();
    first.get().close();
    assertThat(d.locked()).isFalse();
  }
}
