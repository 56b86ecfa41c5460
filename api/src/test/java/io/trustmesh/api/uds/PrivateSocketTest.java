package io.trustmesh.api.uds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket directory and binding rules, attacked the way a second local user would: a directory
 * made first by uid 65534, a shared sticky directory, a link swapped while the socket is bound,
 * and a second server on a live socket.
 */
class PrivateSocketTest {
  static final int NOBODY = 65534;
  @TempDir Path tmp;
  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** Binds a JDK unix server socket (no gRPC needed to show where and how the socket lands). */
  PrivateSocket bind(Path socket, String mode) {
    PrivateSocket s = PrivateSocket.bind(socket, SocketDirectory.SHARED, mode, "--socket", at -> {
      ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      ch.bind(UnixDomainSocketAddress.of(at));
      open.add(ch);
      return ch;
    });
    open.add(s);
    return s;
  }

  static void requireRoot() {
    boolean root = SocketDirectory.currentUid() == 0;
    if (!root && System.getenv("CI") != null) {
      fail("this test acts as uid 65534 and must run as root in CI");
    }
    assumeTrue(root, "acting as another uid needs root");
  }

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  static Path chownNobody(Path p) throws IOException {
    Files.setAttribute(p, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", NOBODY, LinkOption.NOFOLLOW_LINKS);
    return p;
  }

  @Test
  void createsAMissingDirectoryWithTheAskedModeAndBindsTheSocketWithItsMode() throws Exception {
    Path socket = tmp.resolve("run/trustmesh/agent.sock");
    PrivateSocket s = bind(socket, "rw-rw-rw-");
    assertThat(s.path()).isEqualTo(tmp.toRealPath().resolve("run/trustmesh/agent.sock"));
    assertThat(mode(tmp.resolve("run/trustmesh"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(socket)).isEqualTo("rw-rw-rw-");
    assertThat(PrivateSocket.answers(socket)).isTrue();
    try (var dir = Files.list(tmp.resolve("run/trustmesh"))) {
      assertThat(dir.map(p -> p.getFileName().toString()).toList()).as("no private directory left behind")
          .containsExactly("agent.sock");
    }
    s.close();
    assertThat(socket).doesNotExist();
  }

  @Test
  void refusesADirectoryAnotherUserCreatedFirst() throws Exception {
    requireRoot();
    Path theirs = chownNobody(Files.createDirectory(tmp.resolve("trustmesh")));
    assertThatThrownBy(() -> bind(theirs.resolve("agent.sock"), "rw-rw-rw-"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("socket directory " + theirs.toRealPath() + " belongs to another user (owner uid 65534,"
            + " mode 0755; this process runs as uid 0): remove it, or choose a directory you or root own");
    assertThat(theirs.resolve("agent.sock")).doesNotExist();
  }

  @Test
  void refusesADirectoryOthersMayWrite() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("grp"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
    assertThatThrownBy(() -> bind(dir.resolve("agent.sock"), "rw-rw-rw-"))
        .hasMessageContaining("socket directory " + dir.toRealPath() + " is writable by group or others")
        .hasMessageContaining("mode 0775");
  }

  @Test
  void aStickySharedDirectoryMayBeAnAncestorButNeverTheSocketsOwnDirectory() throws Exception {
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 01777);
    assertThatThrownBy(() -> bind(shared.resolve("agent.sock"), "rw-rw-rw-"))
        .hasMessageContaining("socket directory " + shared.toRealPath() + " is writable by group or others")
        .hasMessageContaining("mode 1777");
    PrivateSocket s = bind(shared.resolve("mine/agent.sock"), "rw-rw-rw-");
    assertThat(s.path()).isEqualTo(shared.toRealPath().resolve("mine/agent.sock"));
  }

  @Test
  void refusesAnAncestorAnotherUserOwns() throws Exception {
    requireRoot();
    Path theirs = chownNobody(Files.createDirectory(tmp.resolve("theirs")));
    Path mine = Files.createDirectory(theirs.resolve("mine"));
    assertThatThrownBy(() -> bind(mine.resolve("agent.sock"), "rw-rw-rw-"))
        .hasMessageContaining("is inside " + theirs.toRealPath() + " (owner uid 65534, mode 0755)");
  }

  @Test
  void aSecondServerOnALiveSocketIsRefusedAndTheFirstKeepsIt() throws Exception {
    Path socket = tmp.resolve("admin.sock");
    PrivateSocket first = bind(socket, "rw-------");
    assertThatThrownBy(() -> bind(socket, "rw-------"))
        .hasMessage("a server is already listening on " + first.path()
            + "; stop it first or choose another --socket");
    assertThat(PrivateSocket.answers(socket)).as("the first server still answers").isTrue();
  }

  @Test
  void aStaleSocketNobodyAnswersOnIsReplaced() throws Exception {
    Path socket = tmp.resolve("admin.sock");
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(socket));
    } // closed: the file stays, nobody answers
    assertThat(socket).exists();
    assertThat(PrivateSocket.answers(socket)).isFalse();
    bind(socket, "rw-------");
    assertThat(PrivateSocket.answers(socket)).isTrue();
  }

  @Test
  void aStaleSocketOfAnotherUserIsRefusedAndLeftInPlace() throws Exception {
    requireRoot();
    Path socket = tmp.resolve("out.sock");
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(socket));
    }
    chownNobody(socket);
    assertThatThrownBy(() -> bind(socket, "rw-------"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(socket.toRealPath() + " is a socket of uid 65534, not of this user (uid 0);"
            + " remove it or choose another --socket");
    assertThat((Integer) Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(NOBODY);
  }

  @Test
  void aSymlinkedDirectoryIsJudgedByWhatItPointsTo() throws Exception {
    requireRoot();
    Path theirs = chownNobody(Files.createDirectory(tmp.resolve("theirs")));
    Path toTheirs = Files.createSymbolicLink(tmp.resolve("link-theirs"), theirs);
    assertThatThrownBy(() -> bind(toTheirs.resolve("out.sock"), "rw-------"))
        .hasMessageContaining("socket directory " + theirs.toRealPath() + " belongs to another user");
    assertThat(theirs.resolve("out.sock")).doesNotExist();

    Path mine = Files.createDirectory(tmp.resolve("mine"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    PrivateSocket s = bind(Files.createSymbolicLink(tmp.resolve("link-mine"), mine).resolve("out.sock"), "rw-------");
    assertThat(s.path()).as("bound at the real path, never through the link").isEqualTo(mine.toRealPath()
        .resolve("out.sock"));
    assertThat(mode(s.path())).isEqualTo("rw-------");
  }

  @Test
  void anExistingSocketDirectoryIsCheckedWithoutBeingCreated() throws Exception {
    Path missing = tmp.resolve("app");
    assertThatThrownBy(() -> SocketDirectory.checkExisting(missing, "target unix:" + missing + "/app.sock"))
        .hasMessage("target unix:" + missing + "/app.sock: socket directory " + missing + " does not exist");
    assertThat(missing).doesNotExist();
    Path grp = Files.createDirectory(tmp.resolve("grp"));
    Files.setPosixFilePermissions(grp, PosixFilePermissions.fromString("rwxrwx---"));
    assertThatThrownBy(() -> SocketDirectory.checkExisting(grp, "target"))
        .hasMessageStartingWith("target: socket directory " + grp.toRealPath() + " is writable by group or others");
    Path ok = Files.createDirectory(tmp.resolve("ok"));
    assertThat(SocketDirectory.checkExisting(ok, "target")).isEqualTo(ok.toRealPath());
  }

  @Test
  void somethingElseThanASocketIsNeverRemoved() throws Exception {
    Path file = Files.writeString(tmp.resolve("agent.sock"), "keep me");
    assertThatThrownBy(() -> bind(file, "rw-rw-rw-"))
        .hasMessage(file.toRealPath() + " exists and is not a socket; remove it or choose another --socket");
    assertThat(Files.readString(file)).isEqualTo("keep me");
  }

  @Test
  void closingNeverRemovesASuccessorsSocket() throws Exception {
    Path socket = tmp.resolve("agent.sock");
    PrivateSocket first = bind(socket, "rw-rw-rw-");
    Files.delete(socket); // e.g. an operator cleaned up; a new server took the path
    bind(socket, "rw-rw-rw-");
    first.close();
    assertThat(PrivateSocket.answers(socket)).isTrue();
  }

  /**
   * The attack as found: the socket's directory is reached through a link in a sticky shared
   * directory, which its owner (uid 65534) keeps swapping between a good directory and one of their
   * own where {@code agent.sock} links to a root-owned 0600 file. Every bind either lands in the
   * good directory, reached through its real path only, or is refused; the file stays 0600.
   */
  @Test
  void aLinkSwappingRacerNeverGetsAChmodThroughTheLink() throws Exception {
    requireRoot();
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path secret = Files.writeString(tmp.resolve("secret"), "root only");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    Path good = Files.createDirectory(tmp.resolve("good"));
    Path theirs = chownNobody(Files.createDirectory(tmp.resolve("theirs")));
    chownNobody(Files.createSymbolicLink(theirs.resolve("agent.sock"), secret));
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 01777);
    Path link = shared.resolve("run");
    Process racer = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
        // Swapped by rename(2), so the link never vanishes: with `ln -sfn` alone there is an instant
        // with no link at all, a bind then creates a real (root-owned) directory there and the race
        // is over before it starts.
        "sh", "-c", "while :; do ln -sfn " + good + " " + link + ".g && mv -Tf " + link + ".g " + link
            + "; ln -sfn " + theirs + " " + link + ".t && mv -Tf " + link + ".t " + link + "; done")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    int landed = 0;
    int refused = 0;
    try {
      // The race starts when the link does: before it exists, a bind would create a real directory.
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.isSymbolicLink(link));
      for (int i = 0; i < 100; i++) {
        try {
          PrivateSocket s = bind(link.resolve("agent.sock"), "rw-rw-rw-");
          assertThat(s.path()).isEqualTo(good.toRealPath().resolve("agent.sock"));
          assertThat(mode(s.path())).isEqualTo("rw-rw-rw-");
          landed++;
          closeAll();
          open.clear();
        } catch (BadInputException e) {
          refused++;
          assertThat(e.getMessage()).contains(theirs.toRealPath().toString()).contains("owner uid 65534");
        }
      }
    } finally {
      racer.destroyForcibly().waitFor();
    }
    assertThat(mode(secret)).isEqualTo("rw-------");
    assertThat(Files.readString(secret)).isEqualTo("root only");
    assertThat((Integer) Files.getAttribute(secret, "unix:uid")).isZero();
    assertThat(landed + refused).isEqualTo(100);
  }
}
