package io.trustmesh.policy.model;

import java.util.List;

/**
 * Linkerd's {@code AuthorizationPolicy}: a target (a Server by name, or a whole namespace) and
 * the authentications a client must pass (names of MeshTLSAuthentication or NetworkAuthentication).
 */
public record LinkerdPolicy(ObjectRef ref, String targetKind, String targetName, List<AuthenticationRef> required) {
  public LinkerdPolicy {
    required = List.copyOf(required);
  }

  /** One {@code requiredAuthenticationRefs} entry. */
  public record AuthenticationRef(String kind, String name, String namespace) {}
}
