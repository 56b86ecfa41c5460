package io.trustmesh.policy.model;

import java.util.Map;

/** A Kubernetes namespace: its labels (injection) and annotations (Linkerd's defaults). */
public record Namespace(ObjectRef ref, Map<String, String> labels, Map<String, String> annotations) {
  public Namespace {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  public String name() {
    return ref.name();
  }
}
