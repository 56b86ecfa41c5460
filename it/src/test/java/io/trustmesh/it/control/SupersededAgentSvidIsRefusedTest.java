package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.core.ca.Csrs;
import io.trustmesh.api.node.proto.RenewAgentRequest;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy of an agent SVID (a backup, a stolen data directory) stops working once the agent has
 * renewed: the server pins the serial of the agent's current SVID and moves the pin when the agent
 * first uses its renewed one, as SPIRE does. Until then the old one still works, so a renewal whose
 * answer was lost does not lock the agent out.
 */
class SupersededAgentSvidIsRefusedTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  @TempDir Path dir;

  @Test
  void afterRenewalTheOldAgentSvidIsRefused() throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    try (ControlPlane cp = new ControlPlane(dir).clock(clock)) {
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + UID);
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());
      X509Svid copied = agent.agentSvid();

      // Past the agent SVID's renewal point (half of its 1h life, plus up to a tenth as jitter).
      clock.advance(Duration.ofMinutes(40));
      cp.server.tick();
      agent.syncNow();
      X509Svid renewed = agent.agentSvid();
      assertThat(renewed.leaf().getSerialNumber()).isNotEqualTo(copied.leaf().getSerialNumber());
      assertThat(clock.instant()).as("the copy has not expired: only the pin refuses it")
          .isBefore(copied.leaf().getNotAfter().toInstant());

      AgentIdentities.refused(cp, copied, clock, "which is not its current agent SVID");
      assertThat(AgentIdentities.fetchEntriesAs(cp, renewed, clock).getEntriesCount()).isEqualTo(1);
      agent.syncNow(); // and the agent itself carries on
    }
  }

  @Test
  void aRenewalWhoseAnswerWasLostLeavesTheCurrentSvidWorking() throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    try (ControlPlane cp = new ControlPlane(dir).clock(clock)) {
      cp.startServer();
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      X509Svid current = agent.agentSvid();

      ManagedChannel ch = Workloads.nodeChannel(cp.server.nodeAddress(), current, cp.server.authority().bundle(),
          ControlPlane.TD, clock);
      try {
        // The server signs a new agent SVID, but the answer never reaches the agent.
        Workloads.node(ch).renewAgent(RenewAgentRequest.newBuilder()
            .setCsr(ByteString.copyFrom(Csrs.create(KeyType.DEFAULT.generate()))).build());
      } finally {
        ch.shutdownNow();
      }
      assertThat(AgentIdentities.fetchEntriesAs(cp, current, clock).getBundle().getTrustDomain())
          .isEqualTo("example.org");
      agent.syncNow();
    }
  }

  @Test
  void aSupersededSvidCannotRenewEither() throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    try (ControlPlane cp = new ControlPlane(dir).clock(clock)) {
      cp.startServer();
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      X509Svid copied = agent.agentSvid();
      clock.advance(Duration.ofMinutes(40));
      cp.server.tick();
      agent.syncNow();

      ManagedChannel ch = Workloads.nodeChannel(cp.server.nodeAddress(), copied, cp.server.authority().bundle(),
          ControlPlane.TD, clock);
      try {
        assertThatThrownBy(() -> Workloads.node(ch).renewAgent(RenewAgentRequest.newBuilder()
            .setCsr(ByteString.copyFrom(Csrs.create(KeyType.DEFAULT.generate()))).build()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      } finally {
        ch.shutdownNow();
      }
    }
  }
}
