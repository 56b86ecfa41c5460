package io.trustmesh.it.control;

import static io.trustmesh.it.control.CliControlPlaneTest.trustmesh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.core.ca.Csrs;
import io.trustmesh.api.node.proto.SignX509SvidsRequest;
import io.trustmesh.api.node.proto.SvidRequest;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.agent.Registration;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.it.control.CliControlPlaneTest.Run;
import io.trustmesh.server.datastore.RegistrationEntry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 item 4, as found: {@code entry create --spiffe-id spiffe://example.org/agent/node-1 …
 * --selector unix:uid:4002} was accepted, the workload got an SVID with the agent's ID, and with it
 * was served every entry of node-1 without a join token; the same with the server's ID, which a
 * joining agent accepted from a fake server. Now the entry is refused, and a certificate with the
 * agent's ID that is not the agent's pinned SVID gets nothing from the node API.
 */
class WorkloadCannotTakeAnAgentIdentityTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://example.org/agent/node-1", "spiffe://example.org/agent",
      "spiffe://example.org/trustmesh/server"})
  void anEntryForAnAgentOrServerIdIsRefusedWithOneLine(String id) throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));

      Run r = trustmesh("entry", "create", "--admin-socket", cp.serverConfig.adminSocket.toString(),
          "--spiffe-id", id, "--parent-id", ControlPlane.AGENT_ID, "--selector", "unix:uid:4002");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.out()).hasLineCount(1).startsWith("trustmesh: SPIFFE ID " + id + " is reserved for")
          .contains("a registration entry cannot give it to a workload").doesNotContain("Exception");
      assertThat(cp.server.dataStore().listEntries(Optional.empty(), Optional.empty())).isEmpty();
    }
  }

  @Test
  void aTokenForAWorkloadIdOrTheServerIdIsRefused() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + UID);

      for (String id : List.of("spiffe://example.org/web", "spiffe://example.org/trustmesh/server")) {
        Run r = trustmesh("token", "create", "--admin-socket", cp.serverConfig.adminSocket.toString(),
            "--spiffe-id", id);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).hasLineCount(1).startsWith("trustmesh: agent SPIFFE ID " + id + " must be"
            + " under spiffe://example.org/agent/");
      }
    }
  }

  @Test
  void aCaIssuedCertificateWithTheAgentsIdGetsNoneOfItsEntries() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + UID);
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());
      assertThat(AgentIdentities.fetchEntriesAs(cp, agent.agentSvid(), Clock.systemUTC()).getEntriesCount())
          .as("the real agent SVID is served").isEqualTo(1);

      X509Svid stolen = AgentIdentities.mintedByTheCa(cp, ControlPlane.AGENT_ID, Clock.systemUTC());
      AgentIdentities.refused(cp, stolen, Clock.systemUTC(), "which is not its current agent SVID");
      assertThat(cp.server.dataStore().auditLog(20)).anySatisfy(a ->
          assertThat(a.action()).isEqualTo("node.auth.refused"));
    }
  }

  @Test
  void anEntryStoredBeforeTheRuleIsNeitherServedNorSigned() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + UID);
      // As an older server let it in: straight into the datastore, past the admin API.
      cp.server.dataStore().createEntry(new RegistrationEntry("legacy", SpiffeId.parse("spiffe://example.org/trustmesh/server"),
          SpiffeId.parse(ControlPlane.AGENT_ID), List.of("unix:uid:" + UID), Duration.ZERO, List.of(), "",
          Instant.now()), "older-version");
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());

      assertThat(agent.snapshot().entries()).extracting(Registration::spiffeId)
          .containsExactly("spiffe://example.org/web");
      assertThat(agent.snapshot().svids().values()).extracting(s -> s.spiffeId().toString())
          .containsExactly("spiffe://example.org/web");

      // And asked for it directly, the node API refuses to sign it.
      ManagedChannel ch = Workloads.nodeChannel(cp.server.nodeAddress(), agent.agentSvid(),
          cp.server.authority().bundle(), ControlPlane.TD, Clock.systemUTC());
      try {
        SignX509SvidsRequest ask = SignX509SvidsRequest.newBuilder().addRequests(SvidRequest.newBuilder()
            .setEntryId("legacy").setCsr(ByteString.copyFrom(Csrs.create(KeyType.DEFAULT.generate())))).build();
        assertThatThrownBy(() -> Workloads.node(ch).signX509Svids(ask))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription()).contains("is reserved for the trustmesh control plane");
            });
      } finally {
        ch.shutdownNow();
      }
    }
  }
}
