package io.trustmesh.policy.migrate;

import io.trustmesh.policy.resolve.Resolution;
import java.util.List;

/**
 * The manifests that finish a migration: a namespace-wide STRICT PeerAuthentication per Istio
 * namespace (named like the one it replaces), the Linkerd default-inbound-policy annotation per
 * Linkerd namespace. Workload-level policies are left alone: their port-level exceptions (a
 * metrics port in DISABLE) still apply on top.
 */
final class StrictManifests {
  private StrictManifests() {}

  static String render(Resolution r, List<MigrationPlan.NamespaceStep> rollout) {
    StringBuilder sb = new StringBuilder();
    for (MigrationPlan.NamespaceStep step : rollout) {
      sb.append("# step ").append(step.order()).append(": ").append(step.namespace()).append('\n');
      if (step.dataplane().equals("linkerd")) {
        sb.append("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ").append(step.namespace())
            .append("\n  annotations:\n    config.linkerd.io/default-inbound-policy: all-authenticated\n---\n");
        continue;
      }
      String name = r.model().peerAuthentications().stream()
          .filter(p -> p.ref().namespace().equals(step.namespace()) && !p.hasSelector())
          .map(p -> p.ref().name()).sorted().findFirst().orElse("default");
      sb.append("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: ").append(name)
          .append("\n  namespace: ").append(step.namespace()).append("\nspec:\n  mtls:\n    mode: STRICT\n---\n");
    }
    String out = sb.toString();
    return out.endsWith("---\n") ? out.substring(0, out.length() - 4) : out;
  }
}
