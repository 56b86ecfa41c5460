package io.trustmesh.policy.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.policy.Analysis;
import io.trustmesh.policy.PolicyAnalyzer;
import io.trustmesh.policy.model.AuthorizationPolicy;
import io.trustmesh.policy.model.LinkerdAuthentication;
import io.trustmesh.policy.model.LinkerdPolicy;
import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.model.SourceCondition;
import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.resolve.PortDecision;
import io.trustmesh.policy.rules.Severity;
import io.trustmesh.policy.source.InputFiles;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Render the quick-start mesh, analyze the result with {@code trustmesh analyze}'s own analyzer, and
 * get back exactly the mesh file's modes and allow lists (spelled out here by hand from
 * examples/quickstart/trustmesh.yaml, not recomputed by the renderer's code).
 */
class RenderRoundTripTest {
  static final String TD = "quickstart.trustmesh.local";
  static final Map<String, String> MODES = Map.of(
      "shop/web:8080", "STRICT",
      "legacy/api:8081", "PERMISSIVE",
      "payments/payments:8443", "STRICT",
      "payments/payments:9090", "DISABLE");

  static Analysis analyze(RenderTarget target) {
    List<InputFiles.Input> inputs = Rendered.files(target).stream()
        .map(f -> new InputFiles.Input(f.name(), f.text())).toList();
    return new PolicyAnalyzer(AnalysisOptions.defaults()).analyze(inputs, Optional.empty());
  }

  static Map<String, String> modes(Analysis a) {
    Map<String, String> out = new TreeMap<>();
    for (PortDecision d : a.resolution().workloadPorts().all()) {
      out.put(d.namespace() + "/" + d.workload().name() + ":" + d.port(), d.mode().name());
    }
    return out;
  }

  @Test
  void istioGivesBackTheModesAndAllowLists() {
    Analysis a = analyze(RenderTarget.ISTIO);
    assertThat(a.resolution().model().problems()).isEmpty();
    assertThat(modes(a)).isEqualTo(new TreeMap<>(MODES));
    assertThat(a.resolution().meshConfig().trustDomain()).isEqualTo(TD);

    MeshModel model = a.resolution().model();
    assertThat(principals(model, "shop", "web-allow")).containsExactly(TD + "/*");
    assertThat(ports(model, "shop", "web-allow")).containsExactly(8080);
    assertThat(principals(model, "legacy", "api-allow")).containsExactly(TD + "/ns/shop/sa/web");
    assertThat(principals(model, "payments", "payments-allow")).containsExactly(TD + "/ns/legacy", TD + "/ns/legacy/*");
    assertThat(ports(model, "payments", "payments-allow")).containsExactly(8443);
    // plaintext: only the PERMISSIVE port admits callers without identity, anyone on the DISABLE port
    assertThat(condition(model, "legacy", "api-plaintext")).containsExactly(Map.entry("notPrincipals", List.of("*")));
    assertThat(ports(model, "legacy", "api-plaintext")).containsExactly(8081);
    assertThat(condition(model, "payments", "payments-plaintext-only")).isEmpty();
    assertThat(ports(model, "payments", "payments-plaintext-only")).containsExactly(9090);
    assertThat(model.authorizationPolicies()).hasSize(5);

    // and nothing analyze calls an error: the only finding is the deliberately PERMISSIVE namespace
    assertThat(a.findings()).extracting(f -> f.rule().id()).containsExactly("TM-MTLS-002");
    assertThat(a.failsAt(Severity.ERROR)).isFalse();
  }

  @Test
  void linkerdGivesBackTheModesAndAllowLists() {
    Analysis a = analyze(RenderTarget.LINKERD);
    assertThat(a.resolution().model().problems()).isEmpty();
    assertThat(modes(a)).isEqualTo(new TreeMap<>(MODES));
    MeshModel model = a.resolution().model();
    // allow lists expanded to this mesh's identities: web admits every sidecar identity of the trust
    // domain, api only web, payments only what is under /ns/legacy (the api; not the intruder)
    assertThat(identities(model, "shop", "web-callers")).containsExactlyInAnyOrder(
        id("shop", "web"), id("legacy", "api"), id("payments", "payments"), id("tools", "intruder"));
    assertThat(identities(model, "legacy", "api-callers")).containsExactly(id("shop", "web"));
    assertThat(identities(model, "payments", "payments-callers")).containsExactly(id("legacy", "api"));
    Set<String> required = model.linkerdPolicies().stream()
        .map(p -> p.ref().namespace() + "/" + p.targetName() + " <- " + p.required().stream()
            .map(LinkerdPolicy.AuthenticationRef::name).collect(Collectors.joining(",")))
        .collect(Collectors.toSet());
    assertThat(required).containsExactlyInAnyOrder(
        "shop/web-http <- web-callers",
        "legacy/api-http <- api-callers",
        "legacy/api-http <- api-any-network",
        "payments/payments-http <- payments-callers");
    assertThat(a.failsAt(Severity.ERROR)).isFalse();
  }

  private static String id(String ns, String sa) {
    return "spiffe://" + TD + "/ns/" + ns + "/sa/" + sa;
  }

  private static AuthorizationPolicy policy(MeshModel m, String ns, String name) {
    return m.authorizationPolicies().stream().filter(p -> p.ref().namespace().equals(ns) && p.ref().name().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no AuthorizationPolicy " + ns + "/" + name));
  }

  private static List<String> principals(MeshModel m, String ns, String name) {
    return policy(m, ns, name).sourceConditions().stream().filter(c -> c.field().equals("principals"))
        .flatMap(c -> c.values().stream()).toList();
  }

  private static Map<String, List<String>> condition(MeshModel m, String ns, String name) {
    return policy(m, ns, name).sourceConditions().stream()
        .collect(Collectors.toMap(SourceCondition::field, SourceCondition::values));
  }

  private static List<Integer> ports(MeshModel m, String ns, String name) {
    return policy(m, ns, name).ports();
  }

  private static List<String> identities(MeshModel m, String ns, String name) {
    return m.linkerdAuthentications().stream().filter(x -> x.ref().namespace().equals(ns) && x.ref().name().equals(name))
        .findFirst().map(LinkerdAuthentication::identities).orElseThrow();
  }
}
