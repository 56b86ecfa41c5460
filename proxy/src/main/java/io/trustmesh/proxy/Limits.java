package io.trustmesh.proxy;

import java.time.Duration;

/**
 * Timeouts and bounds shared by all listeners of a sidecar.
 *
 * @param handshakeTimeout from accept until the TLS handshake (or the plaintext decision) is done
 * @param idleTimeout a connection with no traffic either way for this long is closed
 * @param connectTimeout to reach the target
 * @param maxConnections client connections open at once, over all listeners; more are refused
 */
public record Limits(Duration handshakeTimeout, Duration idleTimeout, Duration connectTimeout, int maxConnections) {
  public static final Limits DEFAULT =
      new Limits(Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofSeconds(5), 20_000);

  public Limits {
    positive("handshake timeout", handshakeTimeout);
    positive("idle timeout", idleTimeout);
    positive("connect timeout", connectTimeout);
    if (maxConnections <= 0) {
      throw new io.trustmesh.core.BadInputException("max connections must be positive: " + maxConnections);
    }
  }

  private static void positive(String what, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new io.trustmesh.core.BadInputException(what + " must be positive: " + d);
    }
  }

  public Limits withHandshakeTimeout(Duration d) {
    return new Limits(d, idleTimeout, connectTimeout, maxConnections);
  }
}
