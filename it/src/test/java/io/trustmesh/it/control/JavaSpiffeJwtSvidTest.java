package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.spiffe.bundle.jwtbundle.JwtBundleSet;
import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.trustmesh.agent.TrustmeshAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWT-SVIDs through our agent as the java-spiffe library sees them: fetched for an audience,
 * validated by java-spiffe itself against the JWT bundle our agent serves, and validated by our
 * agent's ValidateJWTSVID; a token for another audience is refused.
 */
class JavaSpiffeJwtSvidTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  @TempDir Path dir;

  @Test
  void fetchValidateAndRefuseTheWrongAudience() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      cp.entry("spiffe://example.org/jwt", ControlPlane.AGENT_ID, java.time.Duration.ZERO, "unix:uid:" + UID);
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("agent", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());

      WorkloadApiClient client = DefaultWorkloadApiClient.newClient(DefaultWorkloadApiClient.ClientOptions.builder()
          .spiffeSocketPath("unix:" + agent.socketPath()).build());
      try {
        JwtSvid svid = client.fetchJwtSvid("billing");
        assertThat(svid.getSpiffeId().toString()).isEqualTo("spiffe://example.org/jwt");

        JwtBundleSet bundles = client.fetchJwtBundles();
        JwtSvid checkedByJavaSpiffe = JwtSvid.parseAndValidate(svid.getToken(), bundles, Set.of("billing"));
        assertThat(checkedByJavaSpiffe.getSpiffeId().toString()).isEqualTo("spiffe://example.org/jwt");

        JwtSvid checkedByAgent = client.validateJwtSvid(svid.getToken(), "billing");
        assertThat(checkedByAgent.getSpiffeId().toString()).isEqualTo("spiffe://example.org/jwt");

        assertThatThrownBy(() -> client.validateJwtSvid(svid.getToken(), "payroll"))
            .hasStackTraceContaining("INVALID_ARGUMENT: audience 'payroll' is not among the token's");
        assertThatThrownBy(() -> JwtSvid.parseAndValidate(svid.getToken(), bundles, Set.of("payroll")))
            .isInstanceOf(Exception.class);
      } finally {
        client.close();
      }
    }
  }
}
