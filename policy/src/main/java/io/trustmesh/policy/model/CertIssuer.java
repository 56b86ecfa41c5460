package io.trustmesh.policy.model;

/**
 * cert-manager {@code Issuer} or {@code ClusterIssuer}; {@code type} is the configured issuer
 * ({@code selfSigned}, {@code ca}, {@code acme}, {@code vault}, ...).
 */
public record CertIssuer(ObjectRef ref, boolean cluster, String type) {
  public boolean selfSigned() {
    return type.equals("selfSigned");
  }
}
