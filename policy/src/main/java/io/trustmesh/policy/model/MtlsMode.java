package io.trustmesh.policy.model;

import java.util.Locale;

/**
 * What a server port accepts, in Istio's words. Linkerd's inbound policies map onto the same
 * scale (see {@code docs/policy.md}). {@code UNSET} means "inherit from the parent scope".
 */
public enum MtlsMode {
  UNSET,
  DISABLE,
  PERMISSIVE,
  STRICT;

  /** Reads {@code spec.mtls.mode}; a missing or empty mode is {@code UNSET}, as in Istio's API. */
  public static MtlsMode parse(String raw) {
    if (raw == null || raw.isBlank()) {
      return UNSET;
    }
    return valueOf(raw.trim().toUpperCase(Locale.ROOT));
  }

  public boolean acceptsPlaintext() {
    return this != STRICT;
  }
}
