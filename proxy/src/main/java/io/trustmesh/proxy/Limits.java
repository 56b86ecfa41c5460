package io.trustmesh.proxy;

import java.time.Duration;

/**
 * Timeouts and bounds shared by all listeners of a sidecar.
 *
 * @param handshakeTimeout from accept until the TLS handshake (or the plaintext decision) is done
 * @param idleTimeout a connection with no traffic either way for this long is closed
 * @param connectTimeout to reach the target
 * @param maxConnections client connections open at once, over all listeners; more are refused
 * @param drainTimeout on SIGTERM, how long open connections may take to finish after the listeners
 *     close; 20s by default, inside Kubernetes' default 30s grace period
 */
public record Limits(Duration handshakeTimeout, Duration idleTimeout, Duration connectTimeout, int maxConnections,
    Duration drainTimeout) {
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);
  public static final Limits DEFAULT =
      new Limits(Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofSeconds(5), 20_000, DEFAULT_DRAIN_TIMEOUT);

  public Limits {
    positive("handshake timeout", handshakeTimeout);
    positive("idle timeout", idleTimeout);
    positive("connect timeout", connectTimeout);
    if (drainTimeout == null || drainTimeout.isNegative()) {
      throw new io.trustmesh.core.BadInputException("drain timeout must be 0 or more: " + drainTimeout);
    }
    if (maxConnections <= 0) {
      throw new io.trustmesh.core.BadInputException("max connections must be positive: " + maxConnections);
    }
  }

  /** With the default drain timeout. */
  public Limits(Duration handshakeTimeout, Duration idleTimeout, Duration connectTimeout, int maxConnections) {
    this(handshakeTimeout, idleTimeout, connectTimeout, maxConnections, DEFAULT_DRAIN_TIMEOUT);
  }

  private static void positive(String what, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new io.trustmesh.core.BadInputException(what + " must be positive: " + d);
    }
  }

  public Limits withHandshakeTimeout(Duration d) {
    return new Limits(d, idleTimeout, connectTimeout, maxConnections, drainTimeout);
  }
}
