package io.trustmesh.policy;

import static io.trustmesh.policy.Fixtures.findings;
import static io.trustmesh.policy.Fixtures.port;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.resolve.Dataplane;
import io.trustmesh.policy.resolve.PairOutcome;
import io.trustmesh.policy.resolve.PortDecision;
import io.trustmesh.policy.resolve.ServerMode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed's example configuration, analyzed: every effective mode and every finding, exactly. */
class SeedManifestsTest {
  private final Analysis a = Fixtures.analyzeResources(
      AnalysisOptions.defaults().withProduction(List.of("production")), "seed");

  @Test
  void paymentServicePortsFollowThePortLevelOverrides() {
    PortDecision http = port(a, "production", "payment-service", 8080);
    assertThat(http.mode()).isEqualTo(ServerMode.STRICT);
    assertThat(http.dataplane()).isEqualTo(Dataplane.ISTIO_SIDECAR);
    assertThat(http.decidedBy().orElseThrow().name()).isEqualTo("payment-service");
    assertThat(http.decidedAt().line()).isEqualTo(34);
    PortDecision metrics = port(a, "production", "payment-service", 9090);
    assertThat(metrics.mode()).isEqualTo(ServerMode.DISABLE);
    assertThat(metrics.decidedAt().line()).isEqualTo(36);
    assertThat(metrics.decidedAt().file()).endsWith("peer-authentication.yaml");
  }

  @Test
  void legacyNamespaceIsPermissiveByItsNamespacePolicy() {
    PortDecision billing = port(a, "legacy-namespace", "billing", 8080);
    assertThat(billing.mode()).isEqualTo(ServerMode.PERMISSIVE);
    assertThat(billing.decidedBy().orElseThrow().display()).isEqualTo("PeerAuthentication legacy-namespace/default");
    assertThat(billing.decidedAt().line()).isEqualTo(12);
  }

  @Test
  void linkerdOrdersIsStrictOnItsServerAndBypassedOnTheSkippedMetricsPort() {
    assertThat(port(a, "orders", "orders", 8080).mode()).isEqualTo(ServerMode.STRICT);
    assertThat(port(a, "orders", "orders", 8080).decidedBy().orElseThrow().display()).isEqualTo("Server orders/orders-http");
    assertThat(port(a, "orders", "orders", 9090).mode()).isEqualTo(ServerMode.DISABLE);
  }

  @Test
  void exactlyTheseFindings() {
    assertThat(Fixtures.ruleIds(a)).containsExactly("TM-ISTIO-002", "TM-ISTIO-004", "TM-LINKERD-001", "TM-MTLS-002");
    // *.local ISTIO_MUTUAL reaches the DISABLE metrics port: mesh clients' scrapes fail.
    assertThat(findings(a, "TM-ISTIO-002")).singleElement().satisfies(f -> {
      assertThat(f.message()).contains("DestinationRule istio-system/default", "payment-service.production:9090", "DISABLE");
      assertThat(f.location().line()).isEqualTo(10);
    });
    assertThat(findings(a, "TM-ISTIO-004")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("production/external-api", "api.external.com"));
    assertThat(findings(a, "TM-LINKERD-001")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("outbound port 5432"));
    assertThat(findings(a, "TM-MTLS-002")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("legacy-namespace"));
  }

  @Test
  void tlsCheckForPaymentServiceFromItsNamespace() {
    List<PairOutcome> pairs = a.resolution().istioPairs().stream()
        .filter(p -> p.clientNamespace().equals("production") && p.service().name().equals("payment-service")).toList();
    assertThat(pairs).extracting(p -> p.port().port() + " " + p.status() + " " + p.server() + " " + p.client().mode())
        .containsExactly("80 OK STRICT ISTIO_MUTUAL", "9090 CONFLICT DISABLE ISTIO_MUTUAL");
  }

  @Test
  void spireServerConfIsReadWithLines() {
    var server = a.resolution().model().spireConfigs().get(0);
    assertThat(server.setting("trust_domain")).hasValue("example.org");
    assertThat(server.setting("ca_ttl")).hasValue("168h");
    assertThat(server.at("ca_ttl").line()).isEqualTo(7);
    assertThat(server.plugins()).extracting(p -> p.type() + " " + p.name())
        .containsExactlyInAnyOrder("DataStore sql", "NodeAttestor join_token", "KeyManager disk", "UpstreamAuthority disk");
    assertThat(server.plugins("DataStore").get(0).dataString("database_type")).isEqualTo("sqlite3");
    assertThat(server.plugins("KeyManager").get(0).location().line()).isEqualTo(24);
  }

  @Test
  void certificateIsReadExactly() {
    var cert = a.resolution().model().certificates().get(0);
    assertThat(cert.duration()).hasValue(Duration.ofHours(24));
    assertThat(cert.renewBefore()).hasValue(Duration.ofHours(8));
    assertThat(cert.issuer().kind()).isEqualTo("ClusterIssuer");
  }
}
