package io.trustmesh.policy.model;

import java.util.List;
import java.util.Map;

/** Istio's {@code AuthorizationPolicy}: only what tells whether it depends on mTLS identities. */
public record AuthorizationPolicy(
    ObjectRef ref,
    Map<String, String> selector,
    String action,
    List<Integer> ports,
    List<SourceCondition> sourceConditions) {

  public AuthorizationPolicy {
    selector = Map.copyOf(selector);
    ports = List.copyOf(ports);
    sourceConditions = List.copyOf(sourceConditions);
  }
}
