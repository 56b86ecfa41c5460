package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.security.auth.module.UnixSystem;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.X509Source;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.Federation;
import io.trustmesh.api.node.proto.Entry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two trust domains, each with its own server. example.org federates with partner.org through
 * partner.org's SPIFFE bundle endpoint (https_spiffe); java-spiffe, connected to an example.org
 * agent, receives partner.org's bundle as a federated bundle on the stream it already holds when
 * the relationship is created, and loses it when the federation relationship is deleted.
 */
class JavaSpiffeReceivesFederatedBundlesTest {
  static final String UID = "unix:uid:" + new UnixSystem().getUid();

  @TempDir Path dir;

  @Test
  void javaSpiffeSeesThePartnersBundleUntilTheFederationIsDeleted() throws Exception {
    try (ControlPlane home = new ControlPlane(dir.resolve("home"));
        ControlPlane partner = Federations.partner(dir.resolve("partner"))) {
      home.startServer();
      partner.startServer();

      String token = home.joinToken(ControlPlane.AGENT_ID);
      try (AdminClient a = home.admin()) {
        a.createEntry(Entry.newBuilder().setSpiffeId("spiffe://example.org/web").setParentId(ControlPlane.AGENT_ID)
            .addSelectors(UID).setTtlSeconds(60).addFederatesWith("partner.org").build());
      }
      TrustmeshAgent agent = home.startAgent(home.agentConfig("agent", Optional.of(token)));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());

      X509Source source = DefaultX509Source.newSource(DefaultX509Source.X509SourceOptions.builder()
          .spiffeSocketPath("unix:" + agent.socketPath()).initTimeout(Duration.ofSeconds(20)).build());
      try {
        // The relationship is created while java-spiffe holds its stream (the order an operator
        // follows most often): the bundle reaches the open stream, no reconnect needed.
        assertThat(source.getX509Svid().getSpiffeId().toString()).isEqualTo("spiffe://example.org/web");
        Federations.federate(home, partner);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(BundleNotFoundException.class)
            .untilAsserted(() -> {
          X509Bundle federated = source.getBundleForTrustDomain(TrustDomain.parse("partner.org"));
          assertThat(federated.getX509Authorities())
              .containsExactlyInAnyOrderElementsOf(partner.server.authority().bundle());
        });
        assertThat(source.getBundleForTrustDomain(TrustDomain.parse("example.org")).getX509Authorities())
            .containsExactlyInAnyOrderElementsOf(home.server.authority().bundle());

        try (AdminClient a = home.admin()) {
          Federation f = a.getFederation("partner.org");
          assertThat(f.getLastError()).isEmpty();
          assertThat(f.getX509Authorities()).isEqualTo(partner.server.authority().bundle().size());
          a.deleteFederation("partner.org");
          assertThat(a.listFederations()).isEmpty();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThatThrownBy(() -> source.getBundleForTrustDomain(TrustDomain.parse("partner.org")))
                .isInstanceOf(BundleNotFoundException.class));
        assertThat(List.of(source.getX509Svid().getSpiffeId().toString())).containsExactly("spiffe://example.org/web");
      } finally {
        source.close();
      }
    }
  }
}
