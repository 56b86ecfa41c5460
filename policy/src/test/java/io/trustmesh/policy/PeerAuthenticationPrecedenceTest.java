package io.trustmesh.policy;

import static io.trustmesh.policy.Fixtures.analyzeYaml;
import static io.trustmesh.policy.Fixtures.findings;
import static io.trustmesh.policy.Fixtures.port;
import static io.trustmesh.policy.Yaml.INJECTED;
import static io.trustmesh.policy.Yaml.deployment;
import static io.trustmesh.policy.Yaml.namespace;
import static io.trustmesh.policy.Yaml.pa;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.resolve.ServerMode;
import org.junit.jupiter.api.Test;

/** Each precedence case of Istio's ComposePeerAuthentication, one test each (docs/policy.md lists them). */
class PeerAuthenticationPrecedenceTest {
  private static final String APP = namespace("shop", INJECTED) + deployment("shop", "web", "", 8080, 9090);

  private static ServerMode mode(Analysis a, int port) {
    return port(a, "shop", "web", port).mode();
  }

  @Test
  void nothingSetMeansPermissive() {
    Analysis a = analyzeYaml(APP);
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.PERMISSIVE);
    assertThat(port(a, "shop", "web", 8080).decidedBy()).isEmpty();
  }

  @Test
  void meshWideStrictApplies() {
    assertThat(mode(analyzeYaml(APP + pa("istio-system", "default", "", "STRICT")), 8080)).isEqualTo(ServerMode.STRICT);
  }

  @Test
  void unsetAtMeshLevelLeavesTheDefault() {
    assertThat(mode(analyzeYaml(APP + pa("istio-system", "default", "", "UNSET")), 8080)).isEqualTo(ServerMode.PERMISSIVE);
  }

  @Test
  void unsetAtNamespaceLevelInheritsTheMesh() {
    Analysis a = analyzeYaml(APP + pa("istio-system", "default", "", "STRICT") + pa("shop", "default", "", "UNSET"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.STRICT);
    assertThat(port(a, "shop", "web", 8080).decidedBy().orElseThrow().namespace()).isEqualTo("istio-system");
  }

  @Test
  void unsetAtWorkloadLevelInheritsTheNamespace() {
    Analysis a = analyzeYaml(APP + pa("istio-system", "default", "", "STRICT") + pa("shop", "default", "", "PERMISSIVE")
        + pa("shop", "web", "app: web", ""));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.PERMISSIVE);
  }

  @Test
  void portLevelUnsetTakesTheWorkloadMode() {
    Analysis a = analyzeYaml(APP + pa("shop", "default", "", "STRICT")
        + pa("shop", "web", "app: web", "PERMISSIVE").replace("---\n", "  portLevelMtls:\n    8080:\n      mode: UNSET\n---\n"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.PERMISSIVE);
    assertThat(port(a, "shop", "web", 8080).reason()).contains("port-level UNSET takes the workload mode PERMISSIVE");
  }

  @Test
  void workloadBeatsNamespaceBeatsMesh() {
    Analysis a = analyzeYaml(APP + pa("istio-system", "default", "", "DISABLE") + pa("shop", "default", "", "PERMISSIVE")
        + pa("shop", "web", "app: web", "STRICT"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.STRICT);
  }

  @Test
  void portLevelBeatsWorkload() {
    Analysis a = analyzeYaml(APP + pa("shop", "web", "app: web", "STRICT")
        .replace("---\n", "  portLevelMtls:\n    9090:\n      mode: DISABLE\n---\n"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.STRICT);
    assertThat(mode(a, 9090)).isEqualTo(ServerMode.DISABLE);
  }

  @Test
  void sameScopeWithTimestampsTheOldestWins() {
    Analysis a = analyzeYaml(APP
        + pa("shop", "a-newer", "", "DISABLE", "  creationTimestamp: \"2024-05-01T00:00:00Z\"\n")
        + pa("shop", "z-older", "", "STRICT", "  creationTimestamp: \"2023-01-01T00:00:00Z\"\n"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.STRICT);
    assertThat(findings(a, "TM-ISTIO-006")).singleElement().satisfies(f ->
        assertThat(f.message()).contains("Istio uses the oldest, z-older (created 2023-01-01T00:00:00Z)"));
  }

  @Test
  void sameScopeWithoutTimestampsNameOrderDecidesAndTheFindingSaysSo() {
    Analysis a = analyzeYaml(APP + pa("shop", "b-policy", "", "DISABLE") + pa("shop", "a-policy", "", "STRICT"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.STRICT);
    assertThat(findings(a, "TM-ISTIO-006")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("creationTimestamp", "would use a-policy"));
  }

  @Test
  void selectorInTheRootNamespaceIsIgnored() {
    Analysis a = analyzeYaml(APP + pa("istio-system", "default", "", "STRICT") + pa("istio-system", "web", "app: web", "DISABLE"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.STRICT);
    assertThat(findings(a, "TM-ISTIO-007")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("PeerAuthentication istio-system/web", "ignores"));
  }

  @Test
  void rootNamespaceComesFromTheOptionOrTheMeshConfig() {
    String yaml = APP + pa("mesh-root", "default", "", "STRICT");
    assertThat(mode(analyzeYaml(yaml), 8080)).isEqualTo(ServerMode.PERMISSIVE);
    assertThat(mode(analyzeYaml(AnalysisOptions.defaults().withRootNamespace("mesh-root"), yaml), 8080))
        .isEqualTo(ServerMode.STRICT);
    String meshConfig = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n"
        + "  mesh: |\n    rootNamespace: mesh-root\n---\n";
    assertThat(mode(analyzeYaml(meshConfig + yaml), 8080)).isEqualTo(ServerMode.STRICT);
  }

  @Test
  void selectorMatchingNothingChangesNothingAndIsReported() {
    Analysis a = analyzeYaml(APP + pa("shop", "default", "", "STRICT") + pa("shop", "ghost", "app: ghost", "DISABLE"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.STRICT);
    assertThat(findings(a, "TM-ISTIO-013")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("PeerAuthentication shop/ghost"));
  }

  @Test
  void emptyMatchLabelsIsNamespaceWide() {
    Analysis a = analyzeYaml(APP + pa("shop", "default", "", "DISABLE").replace("spec:\n", "spec:\n  selector:\n    matchLabels: {}\n"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.DISABLE);
  }

  /**
   * Istio: the CRD's x-kubernetes-validations rule "portLevelMtls requires selector"
   * (manifests/charts/base/files/crd-all.gen.yaml; pkg/config/validation ValidatePeerAuthentication)
   * makes the API server refuse the object, so it never reaches ComposePeerAuthentication
   * (pilot/pkg/security/authn/policy_applier.go): its DISABLE must not apply to any port.
   */
  @Test
  void portLevelMtlsWithoutSelectorMakesIstioRefuseTheWholePolicy() {
    Analysis a = analyzeYaml(APP + pa("istio-system", "default", "", "STRICT") + pa("shop", "default", "", "DISABLE")
        .replace("---\n", "  portLevelMtls:\n    9090:\n      mode: PERMISSIVE\n---\n"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.STRICT);
    assertThat(mode(a, 9090)).isEqualTo(ServerMode.STRICT);
    assertThat(port(a, "shop", "web", 8080).decidedBy().orElseThrow().namespace()).isEqualTo("istio-system");
    assertThat(findings(a, "TM-ISTIO-008")).singleElement().satisfies(f -> {
      assertThat(f.message()).contains("PeerAuthentication shop/default", "without a selector", "neither its mode nor its ports apply");
      assertThat(f.location().line()).isGreaterThan(0);
    });
  }

  /** Istio's CRD: portLevelMtls has minProperties 1 ("port level mTLS, if defined, must have at least one element"). */
  @Test
  void emptyPortLevelMtlsIsRefused() {
    Analysis a = analyzeYaml(APP + pa("shop", "default", "", "STRICT")
        + pa("shop", "web", "app: web", "DISABLE").replace("---\n", "  portLevelMtls: {}\n---\n"));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.STRICT);
    assertThat(findings(a, "TM-INPUT-004")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("shop/web", "portLevelMtls is empty"));
  }

  /**
   * Istio's ComposePeerAuthentication (pilot/pkg/security/authn/policy_applier.go): a port-level
   * UNSET takes outputPolicy.Mode, which is what mesh and namespace left when the workload-level
   * policy is itself UNSET.
   */
  @Test
  void portLevelUnsetUnderAnUnsetWorkloadPolicyTakesTheInheritedMode() {
    Analysis a = analyzeYaml(APP + pa("shop", "default", "", "STRICT")
        + pa("shop", "web", "app: web", "").replace("---\n", "  portLevelMtls:\n    9090:\n      mode: UNSET\n---\n"));
    assertThat(mode(a, 9090)).isEqualTo(ServerMode.STRICT);
  }

  /**
   * Istio's configCompareByCreationTime (pilot/pkg/model/config.go): timestamps are whole seconds,
   * so ties are common; then the name decides, then the namespace.
   */
  @Test
  void equalTimestampsAreDecidedByName() {
    String at = "  creationTimestamp: \"2024-05-01T00:00:00Z\"\n";
    Analysis a = analyzeYaml(APP + pa("shop", "b-policy", "", "DISABLE", at) + pa("shop", "a-policy", "", "STRICT", at));
    assertThat(mode(a, 8080)).isEqualTo(ServerMode.STRICT);
    assertThat(port(a, "shop", "web", 8080).decidedBy().orElseThrow().name()).isEqualTo("a-policy");
  }

  @Test
  void portLevelKeyedOnAServicePortWithANamedTargetPortMisses() {
    String yaml = namespace("shop", INJECTED)
        + deployment("shop", "web", "", 8080).replace("- containerPort: 8080", "- containerPort: 8080\n              name: http")
        + Yaml.service("shop", "web", 80, "http")
        + pa("shop", "web", "app: web", "STRICT").replace("---\n", "  portLevelMtls:\n    80:\n      mode: DISABLE\n---\n");
    Analysis a = analyzeYaml(yaml);
    assertThat(port(a, "shop", "web", 8080).mode()).isEqualTo(ServerMode.STRICT);
    assertThat(findings(a, "TM-ISTIO-010")).singleElement().satisfies(f ->
        assertThat(f.message()).contains("Service port 80 of Service shop/web", "container port 8080", "targetPort 'http'"));
    // and the service port maps through the name for the client side too
    assertThat(a.resolution().istioPairs()).singleElement()
        .satisfies(p -> assertThat(p.server()).isEqualTo(ServerMode.STRICT));
  }

  @Test
  void workloadWithoutSidecarAcceptsOnlyPlaintext() {
    Analysis a = analyzeYaml(namespace("shop", "") + deployment("shop", "web", "", 8080) + pa("istio-system", "default", "", "STRICT"));
    assertThat(port(a, "shop", "web", 8080).mode()).isEqualTo(ServerMode.NO_PROXY);
  }

  @Test
  void podLabelOptsOutOfNamespaceInjection() {
    Analysis a = analyzeYaml(namespace("shop", INJECTED) + deployment("shop", "web", "sidecar.istio.io/inject: \"false\"", 8080));
    assertThat(port(a, "shop", "web", 8080).mode()).isEqualTo(ServerMode.NO_PROXY);
  }
}
