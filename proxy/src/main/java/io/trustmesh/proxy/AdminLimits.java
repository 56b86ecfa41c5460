package io.trustmesh.proxy;

import io.trustmesh.core.BadInputException;
import java.time.Duration;

/**
 * Bounds of the admin endpoint, apart from the data path's {@link Limits} (issue 9 item 11: 240 idle
 * admin connections used up a 256-descriptor limit and the sidecar stopped accepting clients).
 *
 * @param idleTimeout an admin connection with no traffic either way for this long is closed (30 s)
 * @param requestTimeout a request must arrive complete within this long after the connection opens
 *     or the previous response was sent, else the connection is closed (a slow sender cannot hold it)
 * @param maxConnections admin connections open at once; more are closed at accept (16)
 * @param fdReserve file descriptors kept for the data path: an admin connection is closed at accept
 *     when fewer than this many remain below the process limit (64)
 */
public record AdminLimits(Duration idleTimeout, Duration requestTimeout, int maxConnections, int fdReserve) {
  public static final AdminLimits DEFAULT = new AdminLimits(Duration.ofSeconds(30), Duration.ofSeconds(10), 16, 64);

  public AdminLimits {
    if (idleTimeout == null || idleTimeout.isZero() || idleTimeout.isNegative()) {
      throw new BadInputException("admin idle timeout must be positive: " + idleTimeout);
    }
    if (requestTimeout == null || requestTimeout.isZero() || requestTimeout.isNegative()) {
      throw new BadInputException("admin request timeout must be positive: " + requestTimeout);
    }
    if (maxConnections <= 0) {
      throw new BadInputException("admin max connections must be positive: " + maxConnections);
    }
    if (fdReserve < 0) {
      throw new BadInputException("admin fd reserve must be 0 or more: " + fdReserve);
    }
  }
}
