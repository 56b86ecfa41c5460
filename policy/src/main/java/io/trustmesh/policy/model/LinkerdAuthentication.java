package io.trustmesh.policy.model;

import java.util.List;

/** {@code MeshTLSAuthentication} (identities) or {@code NetworkAuthentication} (networks). */
public record LinkerdAuthentication(ObjectRef ref, boolean meshTls, List<String> identities) {
  public LinkerdAuthentication {
    identities = List.copyOf(identities);
  }
}
