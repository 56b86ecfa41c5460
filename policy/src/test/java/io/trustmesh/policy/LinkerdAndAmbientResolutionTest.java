package io.trustmesh.policy;

import static io.trustmesh.policy.Fixtures.analyzeYaml;
import static io.trustmesh.policy.Fixtures.port;
import static io.trustmesh.policy.Yaml.deployment;
import static io.trustmesh.policy.Yaml.pa;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.policy.resolve.Dataplane;
import io.trustmesh.policy.resolve.ServerMode;
import org.junit.jupiter.api.Test;

/** Linkerd's inbound policy mapped onto modes, and Istio ambient workloads. */
class LinkerdAndAmbientResolutionTest {
  private static final String LINKERD_NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  annotations:\n"
      + "    linkerd.io/inject: enabled\n---\n";
  private static final String SERVER = "apiVersion: policy.linkerd.io/v1beta1\nkind: Server\nmetadata:\n  name: web-http\n"
      + "  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n  port: 8080\n---\n";

  private static String serverAuthorization(String client) {
    return "apiVersion: policy.linkerd.io/v1beta1\nkind: ServerAuthorization\nmetadata:\n  name: web-authz\n  namespace: shop\n"
        + "spec:\n  server:\n    name: web-http\n  client:\n" + client + "---\n";
  }

  @Test
  void serverAuthorizationRequiringMeshTlsIsStrict() {
    var a = analyzeYaml(LINKERD_NS + deployment("shop", "web", "", 8080) + SERVER
        + serverAuthorization("    meshTLS:\n      serviceAccounts:\n        - name: ui\n          namespace: front\n"));
    assertThat(port(a, "shop", "web", 8080).dataplane()).isEqualTo(Dataplane.LINKERD);
    assertThat(port(a, "shop", "web", 8080).mode()).isEqualTo(ServerMode.STRICT);
  }

  @Test
  void unauthenticatedServerAuthorizationIsPermissive() {
    var a = analyzeYaml(LINKERD_NS + deployment("shop", "web", "", 8080) + SERVER
        + serverAuthorization("    unauthenticated: true\n"));
    assertThat(port(a, "shop", "web", 8080).mode()).isEqualTo(ServerMode.PERMISSIVE);
  }

  @Test
  void serverWithoutAuthorizationDeniesEveryone() {
    var a = analyzeYaml(LINKERD_NS + deployment("shop", "web", "", 8080) + SERVER);
    assertThat(port(a, "shop", "web", 8080).mode()).isEqualTo(ServerMode.DENY);
  }

  @Test
  void defaultInboundPolicyPodBeatsNamespaceBeatsCluster() {
    String ns = LINKERD_NS.replace("    linkerd.io/inject: enabled\n",
        "    linkerd.io/inject: enabled\n    config.linkerd.io/default-inbound-policy: all-authenticated\n");
    assertThat(port(analyzeYaml(LINKERD_NS + deployment("shop", "web", "", 8080)), "shop", "web", 8080).mode())
        .isEqualTo(ServerMode.PERMISSIVE);
    assertThat(port(analyzeYaml(ns + deployment("shop", "web", "", 8080)), "shop", "web", 8080).mode())
        .isEqualTo(ServerMode.STRICT);
    String pod = deployment("shop", "web", "", 8080).replace("    spec:\n      containers",
        "      annotations:\n        config.linkerd.io/default-inbound-policy: deny\n    spec:\n      containers");
    assertThat(port(analyzeYaml(ns + pod), "shop", "web", 8080).mode()).isEqualTo(ServerMode.DENY);
  }

  @Test
  void ambientNamespaceGetsPeerAuthentication() {
    String ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    istio.io/dataplane-mode: ambient\n---\n";
    var a = analyzeYaml(ns + deployment("shop", "web", "", 8080) + pa("istio-system", "default", "", "STRICT"));
    assertThat(port(a, "shop", "web", 8080).dataplane()).isEqualTo(Dataplane.ISTIO_AMBIENT);
    assertThat(port(a, "shop", "web", 8080).mode()).isEqualTo(ServerMode.STRICT);
  }
}
