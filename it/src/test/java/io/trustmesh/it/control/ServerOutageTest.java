package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.api.workload.proto.X509SVIDResponse;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server goes away for longer than a renewal interval: workloads keep their valid SVIDs, an
 * agent restarted meanwhile still serves them from its cache, and renewals resume once the server
 * is back.
 */
class ServerOutageTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  // Short, so that the outage passes the renewal point soon; the SVID still has some 8 s to live then.
  static final Duration TTL = Duration.ofSeconds(24);
  @TempDir Path dir;

  @Test
  void agentServesCachedSvidsThroughAnOutageAndARestart() {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.serverConfig.keyManager = "disk"; // the CA must survive the server's restart
      cp.startServer();
      int port = cp.server.nodeAddress().getPort();
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, TTL, "unix:uid:" + UID);
      AgentConfig config = cp.agentConfig("agent", Optional.of(cp.joinToken(ControlPlane.AGENT_ID)));
      TrustmeshAgent agent = cp.startAgent(config);
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());
      X509Certificate before = leaf(Workloads.fetchOnce(agent.socketPath(), true));

      cp.stopServer();
      // Past the renewal point (half of the TTL, plus up to a tenth as jitter): the agent tried and failed.
      Instant renewalDue = before.getNotBefore().toInstant().plus(Issuance_BACKDATE)
          .plus(TTL.dividedBy(2)).plus(TTL.dividedBy(10)).plusSeconds(1);
      await().atMost(TTL).until(() -> Instant.now().isAfter(renewalDue));
      X509Certificate during = leaf(Workloads.fetchOnce(agent.socketPath(), true));
      assertThat(during.getSerialNumber()).isEqualTo(before.getSerialNumber());
      assertThat(during.getNotAfter().toInstant()).isAfter(Instant.now());

      // An agent restarted during the outage (no join token: it resumes from its cache).
      agent.close();
      config.joinToken = Optional.empty();
      TrustmeshAgent restarted = cp.startAgent(config);
      X509Certificate afterRestart = leaf(Workloads.fetchOnce(restarted.socketPath(), true));
      assertThat(afterRestart.getSerialNumber()).isEqualTo(before.getSerialNumber());

      // The server comes back on the same address: renewals resume.
      cp.restartServer(port);
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
          !serial(Workloads.fetchOnce(restarted.socketPath(), true)).equals(before.getSerialNumber()));
      X509Certificate renewed = leaf(Workloads.fetchOnce(restarted.socketPath(), true));
      assertThat(cp.server.dataStore().issued(renewed.getSerialNumber().toString(16))).isPresent();
    }
  }

  private static final Duration Issuance_BACKDATE = io.trustmesh.core.ca.Issuance.BACKDATE;

  private static X509Certificate leaf(X509SVIDResponse r) {
    return Der.certificates(r.getSvids(0).getX509Svid()).get(0);
  }

  private static BigInteger serial(X509SVIDResponse r) {
    return leaf(r).getSerialNumber();
  }
}
