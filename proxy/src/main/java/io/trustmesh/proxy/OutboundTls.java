package io.trustmesh.proxy;

import io.trustmesh.core.BadInputException;
import java.util.Locale;

/** How an outbound upstream is reached, as Istio's DestinationRule TLS modes. */
public enum OutboundTls {
  /** Present our SVID and check the server's SPIFFE ID (or DNS name). */
  MUTUAL,
  /** Server-authenticated TLS to an external service; no client certificate. */
  SIMPLE,
  /** Plaintext. */
  DISABLE;

  public static OutboundTls parse(String raw) {
    try {
      return valueOf(raw.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadInputException("invalid tls mode '" + raw + "' (expected mutual, simple or disable)");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
