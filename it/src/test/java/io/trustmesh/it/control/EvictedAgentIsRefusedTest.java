package io.trustmesh.it.control;

import static io.trustmesh.it.control.CliControlPlaneTest.trustmesh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.x509.Serials;
import io.trustmesh.it.control.CliControlPlaneTest.Run;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trustmesh agent evict}: the node's SVID is refused at once (on a connection it already had
 * open, too), a join token made before the eviction no longer works, and only a new token
 * re-admits it.
 */
class EvictedAgentIsRefusedTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  @TempDir Path dir;

  @Test
  void anEvictedAgentIsRefusedUntilANewTokenReadmitsIt() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + UID);
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());
      X509Svid evicted = agent.agentSvid();
      String oldToken = cp.joinToken(ControlPlane.AGENT_ID); // made before the eviction, never used

      Run r = trustmesh("agent", "evict", "--admin-socket", cp.serverConfig.adminSocket.toString(),
          "--spiffe-id", ControlPlane.AGENT_ID);
      assertThat(r.exit()).isZero();
      assertThat(r.out().strip()).isEqualTo("Evicted " + ControlPlane.AGENT_ID + "; agent SVID "
          + Serials.hex(evicted.leaf().getSerialNumber()) + " is refused; deleted 1 unused join token(s)."
          + " It must attest again with a new join token.");

      // At once: the running agent's next call, on the connection it already has, is refused.
      assertThatThrownBy(agent::syncNow).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(e.getStatus().getDescription()).contains("was evicted");
      });
      AgentIdentities.refused(cp, evicted, Clock.systemUTC(), "was evicted");
      agent.close();

      // The token made before the eviction is gone.
      assertThatThrownBy(() -> cp.startAgent(cp.agentConfig("b", Optional.of(oldToken))))
          .isInstanceOf(BadInputException.class).hasMessageContaining("join token is unknown, already used or expired");

      // A new token re-admits the node (started afresh: the evicted SVID in the old cache is useless).
      TrustmeshAgent readmitted = cp.startAgent(cp.agentConfig("c", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !readmitted.snapshot().svids().isEmpty());
      assertThat(readmitted.spiffeId().toString()).isEqualTo(ControlPlane.AGENT_ID);
      AgentIdentities.refused(cp, evicted, Clock.systemUTC(), "which is not its current agent SVID");
    }
  }

  @Test
  void evictingAnUnknownAgentSaysSo() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      Run r = trustmesh("agent", "evict", "--admin-socket", cp.serverConfig.adminSocket.toString(),
          "--spiffe-id", "spiffe://example.org/agent/nobody");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.out().strip()).isEqualTo("trustmesh: no agent spiffe://example.org/agent/nobody has attested"
          + " or holds a join token");
    }
  }
}
