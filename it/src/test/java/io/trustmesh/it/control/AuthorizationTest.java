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
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.api.node.proto.SignX509SvidsRequest;
import io.trustmesh.api.node.proto.SignX509SvidsResponse;
import io.trustmesh.api.node.proto.SignedSvid;
import io.trustmesh.api.node.proto.SvidRequest;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.x509.Extensions;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may get what: agents only their entries, workloads only what their selectors match, tokens once. */
class AuthorizationTest {
  static final String OTHER_AGENT = "spiffe://example.org/agent/node-2";
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();

  @TempDir Path dir;

  @Test
  void agentCannotObtainAnSvidThatNoEntryGrantsIt() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      TrustmeshAgent a = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      cp.startAgent(cp.agentConfig("b", Optional.of(cp.joinToken(OTHER_AGENT))));
      Entry other = cp.entry("spiffe://example.org/db", OTHER_AGENT, Duration.ZERO, "unix:uid:" + UID);

      ManagedChannel ch = Workloads.nodeChannel(cp.server.nodeAddress(), a.agentSvid(), cp.server.authority().bundle(),
          ControlPlane.TD, Clock.systemUTC());
      try {
        SignX509SvidsRequest steal = SignX509SvidsRequest.newBuilder().addRequests(SvidRequest.newBuilder()
            .setEntryId(other.getId()).setCsr(ByteString.copyFrom(Csrs.create(KeyType.DEFAULT.generate())))).build();
        assertThatThrownBy(() -> Workloads.node(ch).signX509Svids(steal))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription()).contains(other.getId()).contains(ControlPlane.AGENT_ID);
            });
      } finally {
        ch.shutdownNow();
      }
      assertThat(a.snapshot().svids()).as("agent A never got the other agent's SVID").isEmpty();
    }
  }

  /**
   * Batching does not weaken the per-entry check: in one batch with the agent's own entry, the
   * other agent's entry is refused on its own (no certificate for it), and the own entry's SVID
   * carries the entry's SPIFFE ID.
   */
  @Test
  void inABatchAnEntryOfAnotherAgentIsRefusedForThatEntry() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      TrustmeshAgent a = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      Entry mine = cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + (UID + 1));
      Entry other = cp.entry("spiffe://example.org/db", OTHER_AGENT, Duration.ZERO, "unix:uid:" + UID);

      ManagedChannel ch = Workloads.nodeChannel(cp.server.nodeAddress(), a.agentSvid(), cp.server.authority().bundle(),
          ControlPlane.TD, Clock.systemUTC());
      try {
        SignX509SvidsResponse r = Workloads.node(ch).signX509Svids(SignX509SvidsRequest.newBuilder()
            .addRequests(SvidRequest.newBuilder().setEntryId(mine.getId())
                .setCsr(ByteString.copyFrom(Csrs.create(KeyType.DEFAULT.generate()))))
            .addRequests(SvidRequest.newBuilder().setEntryId(other.getId())
                .setCsr(ByteString.copyFrom(Csrs.create(KeyType.DEFAULT.generate()))))
            .build());

        assertThat(r.getSvidsList()).extracting(SignedSvid::getEntryId).containsExactly(mine.getId());
        X509Certificate leaf = Der.certificates(r.getSvids(0).getSvidChainList()).get(0);
        assertThat(Extensions.uriSans(leaf)).containsExactly("spiffe://example.org/web");
        assertThat(r.getRefusedList()).singleElement().satisfies(refused -> {
          assertThat(refused.getEntryId()).isEqualTo(other.getId());
          assertThat(refused.getReason()).contains(other.getId()).contains(ControlPlane.AGENT_ID);
        });
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void workloadWhoseUidMatchesNoSelectorGetsPermissionDenied() {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + (UID + 4242));
      TrustmeshAgent a = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !a.snapshot().svids().isEmpty());

      assertThatThrownBy(() -> Workloads.fetchOnce(a.socketPath(), true))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }
  }

  @Test
  void executablePathAndHashSelectorsMatchTheCallingProcess() throws Exception {
    Path exe = java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/exe"));
    String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(java.nio.file.Files.readAllBytes(exe)));
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/java", ControlPlane.AGENT_ID, Duration.ZERO,
          "unix:uid:" + UID, "unix:path:" + exe, "unix:sha256:" + sha256);
      cp.entry("spiffe://example.org/other-binary", ControlPlane.AGENT_ID, Duration.ZERO,
          "unix:uid:" + UID, "unix:sha256:" + "0".repeat(64));
      TrustmeshAgent a = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> a.snapshot().svids().size() == 2);

      var response = Workloads.fetchOnce(a.socketPath(), true);
      assertThat(response.getSvidsList()).extracting(s -> s.getSpiffeId())
          .containsExactly("spiffe://example.org/java");
    }
  }

  @Test
  void callsWithoutTheSecurityHeaderAreRefused() {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + UID);
      TrustmeshAgent a = cp.startAgent(cp.agentConfig("a", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !a.snapshot().svids().isEmpty());

      assertThatThrownBy(() -> Workloads.fetchOnce(a.socketPath(), false))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("security header");
          });
      assertThat(Workloads.fetchOnce(a.socketPath(), true).getSvids(0).getSpiffeId())
          .isEqualTo("spiffe://example.org/web");
    }
  }

  @Test
  void aUsedJoinTokenCannotBeReused() {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      String token = cp.joinToken(ControlPlane.AGENT_ID);
      cp.startAgent(cp.agentConfig("a", Optional.of(token)));

      assertThatThrownBy(() -> cp.startAgent(cp.agentConfig("b", Optional.of(token))))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("PERMISSION_DENIED")
          .hasMessageContaining("join token is unknown, already used or expired");
    }
  }
}
