package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.MtlsMode;

/**
 * What a workload port accepts in the end: Istio's three modes, Linkerd's {@code DENY} (no
 * authorization admits anyone), and {@code NO_PROXY} (nothing in front of the port: plaintext only).
 */
public enum ServerMode {
  STRICT,
  PERMISSIVE,
  DISABLE,
  DENY,
  NO_PROXY;

  public static ServerMode of(MtlsMode mode) {
    return switch (mode) {
      case STRICT -> STRICT;
      case DISABLE -> DISABLE;
      default -> PERMISSIVE;
    };
  }

  public boolean acceptsPlaintext() {
    return this == PERMISSIVE || this == DISABLE || this == NO_PROXY;
  }

  public boolean acceptsMtls() {
    return this == STRICT || this == PERMISSIVE;
  }
}
