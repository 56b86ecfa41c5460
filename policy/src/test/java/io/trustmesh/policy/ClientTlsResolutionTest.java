package io.trustmesh.policy;

import static io.trustmesh.policy.Fixtures.analyzeYaml;
import static io.trustmesh.policy.Fixtures.findings;
import static io.trustmesh.policy.Yaml.INJECTED;
import static io.trustmesh.policy.Yaml.deployment;
import static io.trustmesh.policy.Yaml.dr;
import static io.trustmesh.policy.Yaml.namespace;
import static io.trustmesh.policy.Yaml.pa;
import static io.trustmesh.policy.Yaml.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.policy.resolve.Dataplane;
import io.trustmesh.policy.resolve.PairOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Client side: which DestinationRule applies (Istio's lookup), auto mTLS, clients without sidecars. */
class ClientTlsResolutionTest {
  private static final String SERVER = namespace("shop", INJECTED) + deployment("shop", "web", "", 8080)
      + service("shop", "web", 8080, "") + namespace("front", INJECTED) + deployment("front", "ui", "", 3000);

  private static PairOutcome from(Analysis a, String clientNs) {
    List<PairOutcome> pairs = a.resolution().istioPairs().stream()
        .filter(p -> p.clientNamespace().equals(clientNs) && p.service().name().equals("web")).toList();
    assertThat(pairs).hasSize(1);
    return pairs.get(0);
  }

  private static String row(PairOutcome p) {
    return p.status() + " " + p.server() + " " + p.client().mode() + " " + p.client().rule().map(r -> r.ref().shortName()).orElse("-");
  }

  @Test
  void autoMtlsOnSendsMtlsToASidecar() {
    Analysis a = analyzeYaml(SERVER + pa("istio-system", "default", "", "STRICT"));
    assertThat(row(from(a, "front"))).isEqualTo("AUTO STRICT AUTO -");
    assertThat(from(a, "front").client().sendsMtls()).isTrue();
  }

  @Test
  void autoMtlsOffSendsPlaintextAndConflictsWithStrict() {
    String meshConfig = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n"
        + "  mesh: |\n    enableAutoMtls: false\n---\n";
    Analysis a = analyzeYaml(meshConfig + SERVER + pa("istio-system", "default", "", "STRICT"));
    PairOutcome p = from(a, "front");
    assertThat(row(p)).isEqualTo("CONFLICT STRICT DISABLE -");
    assertThat(p.why()).contains("does not send Istio mTLS to a STRICT port");
  }

  @Test
  void autoMtlsSendsPlaintextToAWorkloadWithoutSidecar() {
    String yaml = namespace("shop", "") + deployment("shop", "web", "", 8080) + service("shop", "web", 8080, "")
        + namespace("front", INJECTED) + deployment("front", "ui", "", 3000);
    PairOutcome p = from(analyzeYaml(yaml), "front");
    assertThat(row(p)).isEqualTo("AUTO NO_PROXY AUTO -");
    assertThat(p.client().sendsMtls()).isFalse();
  }

  @Test
  void clientNamespaceRuleBeatsServiceNamespaceRuleBeatsRootRule() {
    String rules = dr("istio-system", "root", "*.local", "ISTIO_MUTUAL", "")
        + dr("shop", "svc-ns", "web", "DISABLE", "")
        + dr("front", "client-ns", "web.shop.svc.cluster.local", "SIMPLE", "");
    Analysis a = analyzeYaml(SERVER + rules);
    assertThat(from(a, "front").client().rule().orElseThrow().ref().name()).isEqualTo("client-ns");
    Analysis withoutClientRule = analyzeYaml(SERVER + dr("istio-system", "root", "*.local", "ISTIO_MUTUAL", "")
        + dr("shop", "svc-ns", "web", "DISABLE", ""));
    assertThat(from(withoutClientRule, "front").client().rule().orElseThrow().ref().name()).isEqualTo("svc-ns");
    Analysis onlyRoot = analyzeYaml(SERVER + dr("istio-system", "root", "*.local", "ISTIO_MUTUAL", ""));
    assertThat(from(onlyRoot, "front").client().rule().orElseThrow().ref().name()).isEqualTo("root");
  }

  @Test
  void exportToDotHidesAServiceNamespaceRuleFromOtherNamespaces() {
    Analysis a = analyzeYaml(SERVER + dr("istio-system", "root", "*.local", "ISTIO_MUTUAL", "")
        + dr("shop", "private", "web", "DISABLE", "  exportTo: [\".\"]\n"));
    assertThat(from(a, "front").client().rule().orElseThrow().ref().name()).isEqualTo("root");
  }

  /**
   * Istio's PushContext.destinationRule (pilot/pkg/model/push_context.go): a proxy in the root
   * namespace (a gateway) first looks only at root rules private to it (rootNamespaceLocal), then
   * at the service's namespace, and only then at the root namespace's exported rules.
   */
  @Test
  void aClientInTheRootNamespaceUsesTheServicesRuleBeforeAMeshWideOne() {
    String gateway = deployment("istio-system", "gateway", "", 8443);
    Analysis a = analyzeYaml(SERVER + namespace("istio-system", INJECTED) + gateway
        + dr("istio-system", "mesh-wide", "*.local", "ISTIO_MUTUAL", "") + dr("shop", "svc-ns", "web", "DISABLE", ""));
    assertThat(from(a, "istio-system").client().rule().orElseThrow().ref().name()).isEqualTo("svc-ns");
    Analysis privateRoot = analyzeYaml(SERVER + namespace("istio-system", INJECTED) + gateway
        + dr("istio-system", "gw-only", "*.local", "ISTIO_MUTUAL", "  exportTo: [\".\"]\n") + dr("shop", "svc-ns", "web", "DISABLE", ""));
    assertThat(from(privateRoot, "istio-system").client().rule().orElseThrow().ref().name()).isEqualTo("gw-only");
  }

  /**
   * Istio's setDestinationRules (pilot/pkg/model/push_context.go) indexes a rule as local to its own
   * namespace only when exportTo is empty or holds *, . or that namespace: a rule exported only
   * elsewhere does not apply to its own namespace's clients.
   */
  @Test
  void aRuleExportedOnlyElsewhereDoesNotApplyInItsOwnNamespace() {
    Analysis a = analyzeYaml(SERVER + dr("istio-system", "root", "*.local", "ISTIO_MUTUAL", "")
        + dr("front", "for-others", "web.shop.svc.cluster.local", "DISABLE", "  exportTo: [\"billing\"]\n"));
    assertThat(from(a, "front").client().rule().orElseThrow().ref().name()).isEqualTo("root");
  }

  @Test
  void mostSpecificHostWins() {
    Analysis a = analyzeYaml(SERVER + dr("front", "wide", "*.local", "DISABLE", "")
        + dr("front", "narrow", "*.shop.svc.cluster.local", "ISTIO_MUTUAL", ""));
    assertThat(from(a, "front").client().rule().orElseThrow().ref().name()).isEqualTo("narrow");
  }

  @Test
  void shortHostIsResolvedInTheRulesNamespace() {
    // "web" written in namespace front means web.front.svc.cluster.local: it does not match shop's web.
    Analysis a = analyzeYaml(SERVER + dr("front", "short", "web", "DISABLE", ""));
    assertThat(from(a, "front").client().rule()).isEmpty();
  }

  @Test
  void portLevelTlsOverridesTheTopLevel() {
    String rule = dr("front", "ports", "web.shop.svc.cluster.local", "ISTIO_MUTUAL", "")
        .replace("---\n", "    portLevelSettings:\n      - port:\n          number: 8080\n        tls:\n          mode: DISABLE\n---\n");
    Analysis a = analyzeYaml(SERVER + pa("istio-system", "default", "", "STRICT") + rule);
    assertThat(row(from(a, "front"))).isEqualTo("CONFLICT STRICT DISABLE ports/front");
    assertThat(findings(a, "TM-ISTIO-001")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("DestinationRule front/ports", "send DISABLE", "web.shop:8080"));
  }

  @Test
  void clientWithoutSidecarIsNotAnIstioClient() {
    String yaml = namespace("shop", INJECTED) + deployment("shop", "web", "", 8080) + service("shop", "web", 8080, "")
        + namespace("front", "") + deployment("front", "ui", "", 3000);
    Analysis a = analyzeYaml(yaml);
    assertThat(a.resolution().istioPairs()).extracting(PairOutcome::clientNamespace).containsOnly("shop");
    PairOutcome p = a.resolution().tlsPairs().resolve("front", Dataplane.NONE,
        a.resolution().model().services().get(0), a.resolution().model().services().get(0).ports().get(0));
    assertThat(p.client().mode()).isEqualTo("PLAINTEXT");
  }
}
