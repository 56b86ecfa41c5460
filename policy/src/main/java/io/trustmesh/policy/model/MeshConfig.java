package io.trustmesh.policy.model;

import io.trustmesh.policy.source.SourceLocation;

/**
 * The parts of Istio's mesh config that decide mTLS: auto mTLS (on unless turned off), the root
 * namespace and the trust domain. Read from the {@code istio} ConfigMap or an IstioOperator.
 */
public record MeshConfig(boolean enableAutoMtls, String rootNamespace, String trustDomain, SourceLocation location) {
  public static MeshConfig defaults(String rootNamespace) {
    return new MeshConfig(true, rootNamespace, "cluster.local", SourceLocation.none());
  }
}
