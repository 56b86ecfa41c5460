package io.trustmesh.policy.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Deployment, StatefulSet, DaemonSet or Pod: its pod labels and annotations (from the pod
 * template), the ports its containers declare, and the ports its probes use (health ports).
 */
public record Workload(
    ObjectRef ref,
    Map<String, String> labels,
    Map<String, String> annotations,
    List<ContainerPort> ports,
    Set<Integer> probePorts) {

  public Workload {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    ports = List.copyOf(ports);
    probePorts = Set.copyOf(probePorts);
  }

  public String namespace() {
    return ref.namespace();
  }

  public String name() {
    return ref.name();
  }

  public boolean matches(Map<String, String> selector) {
    return labels.entrySet().containsAll(selector.entrySet());
  }
}
