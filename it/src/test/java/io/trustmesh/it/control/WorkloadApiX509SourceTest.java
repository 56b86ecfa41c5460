package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.workload.WorkloadApiException;
import io.trustmesh.api.workload.WorkloadApiX509Source;
import io.trustmesh.core.spiffe.SpiffeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The api module's Workload-API-backed X509Source (what the proxy's --workload-api uses), against our agent. */
class WorkloadApiX509SourceTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  @TempDir Path dir;

  @Test
  void followsRotationsAndNotifiesSubscribers() {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/api", ControlPlane.AGENT_ID, Duration.ofSeconds(4), "unix:uid:" + UID);
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("agent", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());

      try (WorkloadApiX509Source source = WorkloadApiX509Source.connect("unix://" + agent.socketPath(),
          Duration.ofSeconds(10))) {
        assertThat(source.svid().spiffeId()).isEqualTo(SpiffeId.parse("spiffe://example.org/api"));
        assertThat(source.bundles().forTrustDomain(ControlPlane.TD)).hasValueSatisfying(b ->
            assertThat(b.authorities()).containsExactlyInAnyOrderElementsOf(cp.server.authority().bundle()));
        AtomicInteger updates = new AtomicInteger();
        source.subscribe(updates::incrementAndGet);
        String first = source.svid().leaf().getSerialNumber().toString(16);
        // Subscribers hear of a rotation just after the new SVID is in place (as FileX509SourceTest
        // says): on a busy machine the swap can be seen with the notice still on its way, so wait for both.
        await().atMost(Duration.ofSeconds(20)).until(() ->
            !source.svid().leaf().getSerialNumber().toString(16).equals(first) && updates.get() > 0);
      }
    }
  }

  @Test
  void keepsTheRequestedSvidWhenAnUpdateLacksIt() {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ofMinutes(10), "unix:uid:" + UID);
      var api = cp.entry("spiffe://example.org/api", ControlPlane.AGENT_ID, Duration.ofMinutes(10), "unix:uid:" + UID);
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("agent", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> agent.snapshot().svids().size() >= 2);
      List<String> failures = new CopyOnWriteArrayList<>();
      try (WorkloadApiX509Source source = WorkloadApiX509Source.connect("unix://" + agent.socketPath(),
          Optional.of(SpiffeId.parse("spiffe://example.org/api")), Duration.ofSeconds(10), failures::add)) {
        assertThat(source.svid().spiffeId()).isEqualTo(SpiffeId.parse("spiffe://example.org/api"));
        String serial = source.svid().leaf().getSerialNumber().toString(16);
        try (var admin = cp.admin()) {
          admin.deleteEntry(api.getId());
        }
        // The agent drops the entry and pushes the uid's remaining SVIDs: a reported failure, same SVID.
        await().atMost(Duration.ofSeconds(60)).until(() ->
            failures.stream().anyMatch(f -> f.contains("no SVID for spiffe://example.org/api")));
        assertThat(source.svid().spiffeId()).isEqualTo(SpiffeId.parse("spiffe://example.org/api"));
        assertThat(source.svid().leaf().getSerialNumber().toString(16)).isEqualTo(serial);
      }
    }
  }

  @Test
  void saysWhyWhenNothingIsGranted() {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("agent", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      assertThatThrownBy(() -> WorkloadApiX509Source.connect("unix://" + agent.socketPath(), Duration.ofSeconds(2)))
          .isInstanceOf(WorkloadApiException.class)
          .hasMessageContaining("PERMISSION_DENIED");
    }
  }
}
