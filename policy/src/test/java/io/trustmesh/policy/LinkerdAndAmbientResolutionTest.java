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

  /**
   * linkerd2 policy-controller/k8s/index/src/inbound/index.rs, reindex_servers: Servers sorted by
   * creation time then name; the first to select a port gets it, the others are skipped with a warning.
   */
  @Test
  void twoServersOnOnePortTheOldestWinsWhateverTheFileOrder() {
    String newer = SERVER.replace("  name: web-http\n", "  name: a-newer\n  creationTimestamp: \"2024-05-01T00:00:00Z\"\n")
        .replace("kind: Server\n", "kind: Server\n").replace("spec:\n", "spec:\n  accessPolicy: all-unauthenticated\n");
    String older = SERVER.replace("  name: web-http\n", "  name: z-older\n  creationTimestamp: \"2023-01-01T00:00:00Z\"\n");
    var a = analyzeYaml(LINKERD_NS + deployment("shop", "web", "", 8080) + newer + older);
    assertThat(port(a, "shop", "web", 8080).mode()).isEqualTo(ServerMode.DENY);
    assertThat(port(a, "shop", "web", 8080).decidedBy().orElseThrow().name()).isEqualTo("z-older");
  }

  @Test
  void twoServersOnOnePortWithoutTimestampsTheNameDecides() {
    String b = SERVER.replace("  name: web-http\n", "  name: b-server\n").replace("spec:\n", "spec:\n  accessPolicy: all-unauthenticated\n");
    String a2 = SERVER.replace("  name: web-http\n", "  name: a-server\n");
    var a = analyzeYaml(LINKERD_NS + deployment("shop", "web", "", 8080) + b + a2);
    assertThat(port(a, "shop", "web", 8080).decidedBy().orElseThrow().name()).isEqualTo("a-server");
    assertThat(port(a, "shop", "web", 8080).mode()).isEqualTo(ServerMode.DENY);
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
