package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 2 as found: another local user (uid 65534) creates the socket directory first, in a
 * shared sticky directory like {@code /tmp}, and plants a link where the socket will be. The server
 * and the agent refuse to start, with exit 2 and one line naming the directory, its owner and mode;
 * nothing is created, nothing is chmod'ed through the link.
 */
class SocketDirectoryOfAnotherUserIT {
  @TempDir Path tmp;
  Path shared;
  Path theirs;
  Path secret;

  @BeforeEach
  void anotherUserGetsThereFirst() throws Exception {
    boolean root = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    if (!root && System.getenv("CI") != null) {
      fail("this test acts as uid 65534 and must run as root in CI");
    }
    assumeTrue(root, "acting as another uid needs root");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    shared = Files.createDirectory(tmp.resolve("tmp"));
    Files.setAttribute(shared, "unix:mode", 01777);
    secret = Files.writeString(tmp.resolve("shadow"), "root only\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    theirs = shared.resolve("trustmesh");
    asNobody("mkdir -m 0755 " + theirs + " && ln -s " + secret + " " + theirs + "/agent.sock && ln -s " + secret
        + " " + theirs + "/admin.sock");
    assertThat((Integer) Files.getAttribute(theirs, "unix:uid")).isEqualTo(65534);
  }

  static void asNobody(String script) throws Exception {
    Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
        "sh", "-c", script).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
  }

  String oneLine() {
    return "trustmesh: socket directory " + theirs + " belongs to another user (owner uid 65534, mode 0755;"
        + " this process runs as uid 0): remove it, or choose a directory you or root own";
  }

  void secretUntouched() throws IOException {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret, LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(secret)).isEqualTo("root only\n");
  }

  @Test
  void theServerRefusesWithOneLineAndLeavesNothingBehind() throws Exception {
    Path data = tmp.resolve("server-data");
    try (Proc server = Proc.trustmesh(tmp, "server", "--trust-domain", "example.org", "--data-dir", data,
        "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--key-manager", "memory",
        "--admin-socket", theirs.resolve("admin.sock"))) {
      assertThat(server.waitFor(120)).as(server.output()).isEqualTo(2);
      assertThat(server.output().strip()).isEqualTo(oneLine());
    }
    assertThat(data).doesNotExist();
    assertThat(Files.isSymbolicLink(theirs.resolve("admin.sock"))).as("their link is left alone").isTrue();
    secretUntouched();
  }

  @Test
  void theAgentRefusesWithOneLineBeforeAttesting() throws Exception {
    Path data = tmp.resolve("agent-data");
    try (Proc agent = Proc.trustmesh(tmp, "agent", "--server", "127.0.0.1:1", "--join-token", "unused",
        "--data-dir", data, "--socket", "unix://" + theirs.resolve("agent.sock"))) {
      assertThat(agent.waitFor(120)).as(agent.output()).isEqualTo(2);
      assertThat(agent.output().strip()).isEqualTo(oneLine());
    }
    assertThat(data).doesNotExist();
    secretUntouched();
  }

  @Test
  void theSharedDirectoryItselfIsRefusedAsASocketDirectory() throws Exception {
    try (Proc agent = Proc.trustmesh(tmp, "agent", "--server", "127.0.0.1:1", "--join-token", "unused",
        "--data-dir", tmp.resolve("agent-data"), "--socket", "unix://" + shared.resolve("agent.sock"))) {
      assertThat(agent.waitFor(120)).as(agent.output()).isEqualTo(2);
      assertThat(agent.output().strip()).isEqualTo("trustmesh: socket directory " + shared
          + " is writable by group or others (owner uid 0, mode 1777): a socket needs a directory only its owner"
          + " can write");
    }
  }
}
