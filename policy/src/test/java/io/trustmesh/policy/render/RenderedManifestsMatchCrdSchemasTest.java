package io.trustmesh.policy.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import io.trustmesh.policy.source.Manifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every custom resource the renderers write validates against the upstream CRD's OpenAPI v3 schema
 * (Istio, Linkerd, cert-manager, spire-controller-manager from {@code ../shared/schemas/}).
 */
class RenderedManifestsMatchCrdSchemasTest {
  /** Kinds Kubernetes serves itself: checked by {@link CoreManifestsTest}, not by a CRD. */
  static final Set<String> CORE_API_VERSIONS = Set.of("v1", "apps/v1");

  static CrdSchemas crds;

  @BeforeAll
  static void loadSchemas() throws IOException {
    crds = CrdSchemas.load(CrdSchemas.directory());
    assertThat(crds.size()).as("CRD versions read").isGreaterThan(30);
  }

  @ParameterizedTest
  @EnumSource(RenderTarget.class)
  void everyCustomResourceValidates(RenderTarget target) {
    List<String> problems = new ArrayList<>();
    int validated = 0;
    for (Manifest m : Rendered.manifests(target)) {
      if (CORE_API_VERSIONS.contains(m.apiVersion())) {
        continue;
      }
      Schema schema = crds.schema(m.apiVersion(), m.kind()).orElse(null);
      if (schema == null) {
        problems.add(m + ": no CRD for " + m.apiVersion() + " " + m.kind());
        continue;
      }
      CrdSchemas.validate(schema, m.root()).forEach(p -> problems.add(m + ": " + p));
      validated++;
    }
    assertThat(problems).isEmpty();
    if (target != RenderTarget.KUBERNETES) {
      assertThat(validated).as("custom resources rendered for " + target).isPositive();
    }
  }

  @Test
  void theValidatorRefusesWhatTheCrdRefuses() {
    Manifest pa = Rendered.manifests(RenderTarget.ISTIO).stream()
        .filter(m -> m.kind().equals("PeerAuthentication")).findFirst().orElseThrow();
    Schema schema = crds.schema(pa.apiVersion(), pa.kind()).orElseThrow();
    ObjectNode badMode = pa.root().deepCopy();
    ((ObjectNode) badMode.path("spec").path("mtls")).put("mode", "STRIKT");
    assertThat(CrdSchemas.validate(schema, badMode)).isNotEmpty();
    ObjectNode typo = pa.root().deepCopy();
    ((ObjectNode) typo.path("spec")).putObject("mtlss").put("mode", "STRICT");
    assertThat(CrdSchemas.validate(schema, typo)).isNotEmpty();

    Manifest cert = Rendered.manifests(RenderTarget.CERT_MANAGER).stream()
        .filter(m -> m.kind().equals("Certificate")).findFirst().orElseThrow();
    ObjectNode badUsage = cert.root().deepCopy();
    ((ArrayNode) badUsage.path("spec").path("usages")).add("serverauth");
    assertThat(CrdSchemas.validate(crds.schema(cert.apiVersion(), cert.kind()).orElseThrow(), badUsage)).isNotEmpty();
  }
}
