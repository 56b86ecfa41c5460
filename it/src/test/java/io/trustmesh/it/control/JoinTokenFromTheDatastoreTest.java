package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.core.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 1, as found: another local uid read a join token from the server's datastore
 * (data dir 0755, {@code datastore.sqlite3} and its WAL 0644, tokens in clear), then attested as the
 * node with it. Now the data directory is 0700 and its files 0600, so the read fails; and what a copy
 * of the datastore holds (the token's SHA-256) does not attest.
 */
class JoinTokenFromTheDatastoreTest {
  @TempDir Path dir;

  @Test
  void anotherUserCannotReadATokenAndTheStoredHashDoesNotAttest() throws Exception {
    AnotherUser.requireRoot();
    // The parent stands for /var/lib: any user may pass through it.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.serverConfig.keyManager = "disk";
      cp.startServer();
      String token = cp.joinToken(ControlPlane.AGENT_ID);
      Path data = cp.serverConfig.dataDir;
      assertThat(data.resolve("datastore.sqlite3-wal")).as("the token was written through the WAL").exists();

      for (String file : List.of("datastore.sqlite3", "datastore.sqlite3-wal", "datastore.sqlite3-shm")) {
        AnotherUser.Result read = AnotherUser.run("cat", data.resolve(file).toString());
        assertThat(read.exit()).as(file + ": " + read.output()).isNotZero();
        assertThat(read.output()).contains("Permission denied").doesNotContain(token);
      }
      AnotherUser.Result list = AnotherUser.run("ls", data.resolve("keys").toString());
      assertThat(list.exit()).as(list.output()).isNotZero();

      // A copy of the datastore (a backup, a root compromise later): join_tokens holds a hash only.
      Process q = new ProcessBuilder("sqlite3", data.resolve("datastore.sqlite3").toString(),
          "SELECT * FROM join_tokens").redirectErrorStream(true).start();
      String rows = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      assertThat(q.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String hash = HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
      assertThat(rows).startsWith(hash + "|" + ControlPlane.AGENT_ID + "|").doesNotContain(token);

      assertThatThrownBy(() -> cp.startAgent(cp.agentConfig("thief", Optional.of(hash))))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("attestation failed").hasMessageContaining("join token is unknown, already used or expired");

      // The real token still attests: the refusal above is the hash's, not a broken set-up.
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("node", Optional.of(token)));
      assertThat(agent.snapshot()).isNotNull();
    }
  }
}
