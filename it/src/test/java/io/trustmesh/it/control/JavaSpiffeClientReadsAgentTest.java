package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.X509Source;
import io.trustmesh.agent.TrustmeshAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The java-spiffe client library (a peer nobody here wrote) connects to our agent's Workload API
 * socket, receives its X.509-SVID and bundle, and then the rotated SVID.
 */
class JavaSpiffeClientReadsAgentTest {
  @TempDir Path dir;

  @Test
  void javaSpiffeReceivesSvidBundleAndRotation() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      String token = cp.joinToken(ControlPlane.AGENT_ID);
      // A short TTL: the agent renews at half-life (2-2.2s), so the test sees a rotation quickly.
      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ofSeconds(4),
          "unix:uid:" + new com.sun.security.auth.module.UnixSystem().getUid());
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("agent", Optional.of(token)));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());

      X509Source source = DefaultX509Source.newSource(DefaultX509Source.X509SourceOptions.builder()
          .spiffeSocketPath("unix:" + agent.socketPath())
          .initTimeout(Duration.ofSeconds(20))
          .build());
      try {
        assertThat(source.getX509Svid().getSpiffeId().toString()).isEqualTo("spiffe://example.org/web");
        X509Bundle bundle = source.getBundleForTrustDomain(TrustDomain.parse("example.org"));
        assertThat(bundle.getX509Authorities()).containsExactlyInAnyOrderElementsOf(cp.server.authority().bundle());
        String firstSerial = source.getX509Svid().getLeaf().getSerialNumber().toString(16);

        await().atMost(Duration.ofSeconds(20)).until(() ->
            !source.getX509Svid().getLeaf().getSerialNumber().toString(16).equals(firstSerial));
        assertThat(source.getX509Svid().getSpiffeId().toString()).isEqualTo("spiffe://example.org/web");
        assertThat(cp.server.dataStore().issued(source.getX509Svid().getLeaf().getSerialNumber().toString(16)))
            .as("the rotated SVID is recorded by the server").isPresent();
      } finally {
        source.close();
      }
    }
  }
}
