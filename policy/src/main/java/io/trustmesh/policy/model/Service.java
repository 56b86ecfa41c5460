package io.trustmesh.policy.model;

import java.util.List;
import java.util.Map;

/** A Kubernetes Service: the pods it selects and how its ports map onto theirs. */
public record Service(ObjectRef ref, Map<String, String> selector, List<ServicePort> ports) {
  public Service {
    selector = Map.copyOf(selector);
    ports = List.copyOf(ports);
  }

  public String namespace() {
    return ref.namespace();
  }

  public String name() {
    return ref.name();
  }

  /** The cluster-local FQDN Istio uses for it. */
  public String hostname(String domain) {
    return name() + "." + namespace() + ".svc." + domain;
  }
}
