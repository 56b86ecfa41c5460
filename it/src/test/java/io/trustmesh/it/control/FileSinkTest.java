package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.core.svid.X509Svid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --write-dir/--on-update-exec: spiffe-helper's files, rewritten on every rotation, and a hook run each time. */
class FileSinkTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  @TempDir Path dir;

  @Test
  void writesTheSvidFilesAndRunsTheHookOnEveryRotation() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/files", ControlPlane.AGENT_ID, Duration.ofSeconds(4), "unix:uid:" + UID);
      Path out = dir.resolve("out");
      Path hookLog = dir.resolve("hook.log");
      AgentConfig c = cp.agentConfig("agent", Optional.of(cp.joinToken(ControlPlane.AGENT_ID)));
      c.writeDir = Optional.of(out);
      c.onUpdateExec = Optional.of("echo updated >> " + hookLog);
      cp.startAgent(c);

      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(out.resolve("svid_bundle.pem")));
      X509Svid first = X509Svid.load(out);
      assertThat(first.spiffeId().toString()).isEqualTo("spiffe://example.org/files");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("svid_key.pem"))))
          .isEqualTo("rw-------");
      await().atMost(Duration.ofSeconds(20)).until(() ->
          !X509Svid.load(out).leaf().getSerialNumber().equals(first.leaf().getSerialNumber()));
      // the hook runs in its own shell, after the files are written: its log may not exist yet
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(hookLog) && Files.readAllLines(hookLog).size() >= 2);
      try (var listing = Files.list(out)) {
        assertThat(listing.map(p -> p.getFileName().toString()))
            .as("no temporary files left behind").containsExactlyInAnyOrder("svid.pem", "svid_key.pem", "svid_bundle.pem");
      }
    }
  }
}
