package io.trustmesh.api.uds;

import static io.trustmesh.api.uds.PrivateSocketTest.chownNobody;
import static io.trustmesh.api.uds.PrivateSocketTest.requireRoot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.workload.WorkloadApiX509Source;
import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients of the Workload API and of the admin API, attacked by a second local user (uid 65534)
 * who planted a socket of their own where the client looks for the agent or the server: in a
 * directory of theirs inside a shared sticky one, as {@code /tmp/trustmesh} or SPIRE's
 * {@code /tmp/spire-agent/public} can be. Whoever answers there would hand the sidecar an identity
 * and the trust bundle it verifies peers with, or hand an admin tokens and bundles. The client must
 * refuse before it connects: the planted server sees no connection at all.
 */
class ServedSocketTest {
  @TempDir Path tmp;
  ServerSocketChannel planted;

  @AfterEach
  void close() throws IOException {
    if (planted != null) {
      planted.close();
    }
  }

  /** A directory of uid 65534 in a world-writable sticky one, with a listening socket of theirs in it. */
  Path plantedSocket(String name) throws IOException {
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 01777);
    Path theirs = chownNobody(Files.createDirectory(shared.resolve("trustmesh")));
    Path socket = theirs.resolve(name);
    planted = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    planted.bind(UnixDomainSocketAddress.of(socket));
    planted.configureBlocking(false);
    chownNobody(socket);
    return socket;
  }

  /** The connection the planted server would have had to accept, if any client reached it. */
  SocketChannel reachedThePlantedServer() throws IOException {
    return planted.accept();
  }

  @Test
  void aSidecarNeverAsksAWorkloadApiSocketThatAnotherUserPlanted() throws Exception {
    requireRoot();
    Path socket = plantedSocket("agent.sock");

    assertThatThrownBy(() -> WorkloadApiX509Source.connect("unix:" + socket, Duration.ofSeconds(3)).close())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Workload API unix:" + socket)
        .hasMessageContaining("socket directory " + socket.getParent().toRealPath() + " belongs to another user"
            + " (owner uid 65534, mode 0755)")
        .hasMessageContaining("where anyone could have made it");
    assertThat(reachedThePlantedServer()).as("a connection to the planted socket").isNull();
  }

  @Test
  void anAdminNeverAsksAnAdminSocketThatAnotherUserPlanted() throws Exception {
    requireRoot();
    Path socket = plantedSocket("admin.sock");

    assertThatThrownBy(() -> {
      try (AdminClient admin = AdminClient.connect(socket)) {
        admin.bundle();
      }
    }).isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("admin socket " + socket + ": socket directory ")
        .hasMessageContaining("belongs to another user (owner uid 65534, mode 0755)");
    assertThat(reachedThePlantedServer()).as("a connection to the planted socket").isNull();
  }

  @Test
  void aSocketDirectoryOthersCanWriteIsRefusedEvenWhenItIsOurs() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("agent"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));

    assertThatThrownBy(() -> SocketDirectory.checkServed(dir.resolve("agent.sock"), "--workload-api"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("--workload-api: socket directory " + dir.toRealPath()
            + " is writable by group or others (owner uid " + SocketDirectory.currentUid()
            + ", mode 0775): another user could swap the socket");
  }

  @Test
  void anAgentRunningAsAUserOfItsOwnInADirectoryOnlyRootCouldMakeIsTrusted() throws Exception {
    requireRoot();
    Path run = Files.createDirectory(tmp.resolve("run"));
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path agentsOwn = chownNobody(Files.createDirectory(run.resolve("spire-agent")));
    Files.setPosixFilePermissions(agentsOwn, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThat(SocketDirectory.checkServed(agentsOwn.resolve("api.sock"), "--workload-api"))
        .isEqualTo(agentsOwn.toRealPath().resolve("api.sock"));
  }

  @Test
  void aDirectoryNotMadeYetIsTrustedOnlyWhereNobodyElseCanMakeIt() throws Exception {
    requireRoot();
    Path ours = Files.createDirectory(tmp.resolve("ours"));
    Files.setPosixFilePermissions(ours, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(SocketDirectory.checkServed(ours.resolve("server/admin.sock"), "admin socket"))
        .isEqualTo(ours.resolve("server/admin.sock").toAbsolutePath());

    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 01777);
    assertThatThrownBy(() -> SocketDirectory.checkServed(shared.resolve("trustmesh/agent.sock"), "--workload-api"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("--workload-api: socket directory " + shared.resolve("trustmesh")
            + " does not exist, and " + shared.toRealPath() + " (owner uid 0, mode 1777) lets another user make it first");
  }
}
