package io.trustmesh.policy.migrate;

import io.trustmesh.policy.resolve.PortDecision;
import java.util.List;
import java.util.Map;

/**
 * What stands between PERMISSIVE and STRICT: per port, the plaintext clients seen and the changes
 * needed; the namespaces in rollout order; and the manifests to apply at the end.
 */
public record MigrationPlan(
    List<PortPlan> ports, List<NamespaceStep> rollout, String manifests, List<String> notes, boolean accessLogs) {
  public MigrationPlan {
    ports = List.copyOf(ports);
    rollout = List.copyOf(rollout);
    notes = List.copyOf(notes);
  }

  /** One PERMISSIVE port: plaintext clients (host → connections) and what must change first. */
  public record PortPlan(PortDecision port, Map<String, Integer> plaintextClients, List<String> blockers) {
    public PortPlan {
      plaintextClients = Map.copyOf(plaintextClients);
      blockers = List.copyOf(blockers);
    }
  }

  /** One namespace's step: what to apply and what must be done before. */
  public record NamespaceStep(int order, String namespace, String dataplane, int blockers, String action) {}
}
