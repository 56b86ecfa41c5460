package io.trustmesh.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * TM-ISTIO-011 and Istio's idiom for plaintext callers: {@code notPrincipals: ["*"]} matches exactly
 * the requests without a peer identity, and ALLOW policies are ORed.
 */
class PlaintextCompanionPolicyTest {
  static final String BASE = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: legacy, labels: {istio-injection: enabled}}
      ---
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default, namespace: legacy}
      spec: {mtls: {mode: PERMISSIVE}}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api, namespace: legacy}
      spec:
        selector: {matchLabels: {app: api}}
        template:
          metadata: {labels: {app: api}}
          spec: {containers: [{name: api, image: x, ports: [{containerPort: 8081}]}]}
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: api-allow, namespace: legacy}
      spec:
        selector: {matchLabels: {app: api}}
        rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}], to: [{operation: {ports: ["8081"]}}]}]
      """;
  static final String PLAINTEXT_COMPANION = """
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: api-plaintext, namespace: legacy}
      spec:
        selector: {matchLabels: {app: api}}
        rules: [{from: [{source: {notPrincipals: ["*"]}}], to: [{operation: {ports: ["8081"]}}]}]
      """;

  @Test
  void principalsAloneInFrontOfAPermissivePortIsStillReported() {
    assertThat(Fixtures.analyzeYaml(BASE).findings()).extracting(f -> f.rule().id()).contains("TM-ISTIO-011");
  }

  @Test
  void aCompanionPolicyForPlaintextCallersIsNotAMistake() {
    assertThat(Fixtures.analyzeYaml(BASE + PLAINTEXT_COMPANION).findings()).extracting(f -> f.rule().id())
        .doesNotContain("TM-ISTIO-011");
  }
}
