package io.trustmesh.policy;

import static io.trustmesh.policy.Fixtures.findings;
import static io.trustmesh.policy.Fixtures.port;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.resolve.PairOutcome;
import io.trustmesh.policy.resolve.ServerMode;
import org.junit.jupiter.api.Test;

/** The corpus (see corpus/README.md): analyze runs on all of it and finds exactly what is there. */
class CorpusTest {
  private static Analysis corpus(String dir) {
    return Fixtures.analyzeResources(AnalysisOptions.defaults(), "corpus/" + dir);
  }

  @Test
  void bookinfoAllMtlsAgreesEverywhere() {
    Analysis a = corpus("istio-bookinfo");
    assertThat(port(a, "bookinfo", "reviews-v2", 9080).mode()).isEqualTo(ServerMode.PERMISSIVE);
    assertThat(a.resolution().istioPairs()).hasSize(4)
        .allSatisfy(p -> assertThat(p.status()).isEqualTo(PairOutcome.Status.OK))
        .allSatisfy(p -> assertThat(p.client().mode()).isEqualTo("ISTIO_MUTUAL"));
    // No PeerAuthentication at all: Istio's default PERMISSIVE is a finding, nothing else is.
    assertThat(Fixtures.ruleIds(a)).containsExactly("TM-MTLS-002");
  }

  @Test
  void securityTasksFindThePortLevelDisableAndTheAuthorizationThatCannotMatch() {
    Analysis a = corpus("istio-security-tasks");
    assertThat(port(a, "foo", "httpbin", 8080).mode()).isEqualTo(ServerMode.STRICT);
    assertThat(port(a, "bar", "httpbin", 8080).mode()).isEqualTo(ServerMode.DISABLE);
    assertThat(port(a, "legacy", "httpbin", 8080).mode()).isEqualTo(ServerMode.NO_PROXY);
    assertThat(Fixtures.ruleIds(a)).containsExactly("TM-ISTIO-011", "TM-MTLS-002", "TM-MTLS-003");
    assertThat(findings(a, "TM-ISTIO-011")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("AuthorizationPolicy bar/httpbin-viewer", "8080 (DISABLE)"));
    assertThat(findings(a, "TM-MTLS-002")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("namespace bar"));
  }

  @Test
  void emojivotoServersDecideEachPort() {
    Analysis a = corpus("linkerd-emojivoto");
    assertThat(port(a, "emojivoto", "emoji", 8080).mode()).isEqualTo(ServerMode.STRICT);
    assertThat(port(a, "emojivoto", "voting", 8080).mode()).isEqualTo(ServerMode.STRICT);
    assertThat(port(a, "emojivoto", "web", 8080).mode()).isEqualTo(ServerMode.PERMISSIVE);
    assertThat(port(a, "emojivoto", "emoji", 8801).mode()).isEqualTo(ServerMode.PERMISSIVE);
    assertThat(port(a, "emojivoto", "emoji", 8801).reason()).isEqualTo("cluster default inbound policy all-unauthenticated");
    assertThat(a.findings()).isEmpty();
  }

  @Test
  void certManagerDocsExampleIsNinetyDays() {
    Analysis a = corpus("cert-manager-docs");
    assertThat(Fixtures.ruleIds(a)).containsExactly("TM-CERT-001");
    assertThat(findings(a, "TM-CERT-001")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("Certificate sandbox/example-com lives 90d"));
  }

  @Test
  void theWholeCorpusAtOnceNeverCrashes() {
    Analysis a = Fixtures.analyzeResources(AnalysisOptions.defaults(), "corpus");
    assertThat(findings(a, "TM-INPUT-001")).isEmpty();
    assertThat(a.resolution().workloadPorts().all()).hasSize(14);
  }
}
