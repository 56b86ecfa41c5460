package io.trustmesh.policy.model;

import java.util.Locale;

/** DestinationRule {@code trafficPolicy.tls.mode}: what a client sidecar originates. */
public enum ClientTlsMode {
  DISABLE,
  SIMPLE,
  MUTUAL,
  ISTIO_MUTUAL;

  public static ClientTlsMode parse(String raw) {
    return valueOf(raw.trim().toUpperCase(Locale.ROOT));
  }
}
