package io.trustmesh.policy.meshfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.spiffe.SpiffeId;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the loader gives the rest of trustmesh: defaults, identities, allow rules, effective modes. */
class MeshFileModelTest {
  static final Path QUICKSTART = Path.of(System.getProperty("user.dir")).resolveSibling("examples/quickstart/trustmesh.yaml");

  static MeshFile parse(String body) {
    return MeshFileLoader.parse("mesh.yaml", MeshFileErrorsTest.HEAD + body);
  }

  @Test
  void defaultsFollowTheDesign() {
    MeshFile m = parse("services:\n  - name: web\n");
    MeshService web = m.services().get(0);
    assertThat(web.namespace()).isEqualTo("default");
    assertThat(web.spiffeId()).hasToString("spiffe://example.org/ns/default/sa/web");
    assertThat(web.sidecar()).isTrue();
    assertThat(m.meshMode()).isEqualTo(Mode.STRICT);
    assertThat(m.ca()).isEqualTo(CaSettings.defaults());
    assertThat(m.ca().svidTtl()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void precedenceIsPortThenServiceThenNamespaceThenMesh() {
    MeshFile m = parse("mtls:\n  mode: PERMISSIVE\n  namespaces:\n    prod: STRICT\n"
        + "services:\n"
        + "  - name: plain\n    namespace: dev\n    ports: [{port: 1}]\n"
        + "  - name: ns\n    namespace: prod\n    ports: [{port: 1}]\n"
        + "  - name: svc\n    namespace: prod\n    mode: PERMISSIVE\n    ports: [{port: 1}, {port: 2, mode: DISABLE}]\n"
        + "  - name: port\n    namespace: dev\n    ports: [{port: 1, mode: STRICT}, {port: 2}]\n");
    assertThat(m.effectiveMode(m.service("plain").orElseThrow(), 1)).isEqualTo(Mode.PERMISSIVE); // mesh
    assertThat(m.effectiveMode(m.service("ns").orElseThrow(), 1)).isEqualTo(Mode.STRICT);        // namespace
    assertThat(m.effectiveMode(m.service("svc").orElseThrow(), 1)).isEqualTo(Mode.PERMISSIVE);   // service over namespace
    assertThat(m.effectiveMode(m.service("svc").orElseThrow(), 2)).isEqualTo(Mode.DISABLE);      // port over service
    assertThat(m.effectiveMode(m.service("port").orElseThrow(), 1)).isEqualTo(Mode.STRICT);      // port over mesh
    assertThat(m.effectiveMode(m.service("port").orElseThrow(), 2)).isEqualTo(Mode.PERMISSIVE);  // no override: mesh
  }

  @Test
  void prefixesMatchWholePathSegments() {
    AllowRule prefix = new AllowRule(AllowRule.Kind.PREFIX, "spiffe://example.org/ns/shop", 1);
    assertThat(prefix.admits(SpiffeId.parse("spiffe://example.org/ns/shop"))).isTrue();
    assertThat(prefix.admits(SpiffeId.parse("spiffe://example.org/ns/shop/sa/web"))).isTrue();
    assertThat(prefix.admits(SpiffeId.parse("spiffe://example.org/ns/shopping/sa/web"))).isFalse();
    AllowRule td = new AllowRule(AllowRule.Kind.TRUST_DOMAIN, "example.org", 1);
    assertThat(td.admits(SpiffeId.parse("spiffe://example.org/x"))).isTrue();
    assertThat(td.admits(SpiffeId.parse("spiffe://example.org.evil/x"))).isFalse();
  }

  @Test
  void quickstartIsStrictExceptTheMetricsPortAndTheLegacyNamespace() {
    MeshFile m = MeshFileLoader.load(QUICKSTART);
    MeshService web = m.service("web").orElseThrow();
    MeshService api = m.service("api").orElseThrow();
    MeshService payments = m.service("payments").orElseThrow();
    assertThat(m.effectiveMode(web, 8080)).isEqualTo(Mode.STRICT);
    assertThat(m.effectiveMode(api, 8081)).isEqualTo(Mode.PERMISSIVE);
    assertThat(m.effectiveMode(payments, 8443)).isEqualTo(Mode.STRICT);
    assertThat(m.effectiveMode(payments, 9090)).isEqualTo(Mode.DISABLE);
    assertThat(m.service("legacy-client").orElseThrow().sidecar()).isFalse();
    MeshService intruder = m.service("intruder").orElseThrow();
    assertThat(payments.admits(intruder.spiffeId())).isFalse();
    assertThat(payments.admits(api.spiffeId())).isTrue();
    assertThat(api.admits(web.spiffeId())).isTrue();
    assertThat(m.services().get(0).line()).isPositive();
  }
}
