package io.trustmesh.policy.model;

import io.trustmesh.policy.source.SourceLocation;

/** Names one configuration object in messages: {@code PeerAuthentication istio-system/default}. */
public record ObjectRef(String kind, String namespace, String name, SourceLocation location) {
  /** {@code Kind namespace/name}, or {@code Kind name} for cluster-scoped objects and files. */
  public String display() {
    return kind + " " + (namespace == null || namespace.isEmpty() ? name : namespace + "/" + name);
  }

  /** {@code name/namespace}, as {@code istioctl authn tls-check} printed policies. */
  public String shortName() {
    return name + "/" + namespace;
  }
}
