package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 12 as found: a second server started on the admin socket of a live one used to take
 * the socket over silently (and delete it on exit), so token and entry commands reached the wrong
 * CA. Now it is refused with one line and the first server keeps its socket; a stale socket that
 * nobody answers on (left by a killed server) is replaced.
 */
class SecondServerOnLiveAdminSocketIT {
  @TempDir Path tmp;

  Proc server(String name, Path adminSocket) throws Exception {
    return Proc.trustmesh(tmp, "server", "--trust-domain", name + ".example", "--data-dir", tmp.resolve(name),
        "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--key-manager", "memory",
        "--admin-socket", adminSocket);
  }

  static void awaitListening(Proc p) {
    await().atMost(Duration.ofSeconds(60)).until(() -> p.output().contains("trustmesh: server for") || !p.isAlive());
    assertThat(p.isAlive()).as(p.output()).isTrue();
  }

  @Test
  void theSecondServerIsRefusedAndTheFirstKeepsAnswering() throws Exception {
    Path socket = tmp.resolve("admin.sock");
    try (Proc first = server("first", socket)) {
      awaitListening(first);

      try (Proc second = server("second", socket)) {
        assertThat(second.waitFor(120)).as(second.output()).isEqualTo(2);
        assertThat(second.output().strip()).isEqualTo("trustmesh: a server is already listening on " + socket
            + "; stop it first or choose another --admin-socket");
      }

      assertThat(tmp.resolve("second")).as("the refused server created no data directory").doesNotExist();
      assertThat(socket).exists();
      // Only the first server's CA issues for first.example: the socket still reaches it.
      assertThat(Proc.trustmeshOk(tmp, "token", "create", "--spiffe-id", "spiffe://first.example/agent/node-1",
          "--admin-socket", socket).strip()).isNotEmpty();
    }
  }

  @Test
  void aStaleSocketLeftByAKilledServerIsReplaced() throws Exception {
    Path socket = tmp.resolve("admin.sock");
    try (Proc first = server("first", socket)) {
      awaitListening(first);
      first.kill();
    }
    assertThat(socket).as("SIGKILL left the socket file behind").exists();

    try (Proc next = server("next", socket)) {
      awaitListening(next);
      assertThat(Proc.trustmeshOk(tmp, "token", "create", "--spiffe-id", "spiffe://next.example/agent/node-1",
          "--admin-socket", socket).strip()).isNotEmpty();
    }
  }
}
