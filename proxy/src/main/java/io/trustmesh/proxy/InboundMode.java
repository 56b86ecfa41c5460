package io.trustmesh.proxy;

import io.trustmesh.core.BadInputException;
import java.util.Locale;

/** How an inbound port treats clients, as Istio's PeerAuthentication modes. */
public enum InboundMode {
  /** Mutual TLS only; anything else is refused. */
  STRICT,
  /** Mutual TLS and plaintext on the same port, told apart by the first byte. */
  PERMISSIVE,
  /** Plaintext pass-through. */
  DISABLE;

  public static InboundMode parse(String raw) {
    try {
      return valueOf(raw.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadInputException("invalid mode '" + raw + "' (expected strict, permissive or disable)");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
