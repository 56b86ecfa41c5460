package io.trustmesh.proxy;

import java.time.Clock;

/**
 * What a connection's stages may use of the sidecar that accepted it, and nothing more: its bounds,
 * its clock, the connection count, and where a finished or refused connection is reported. The
 * stages never see the {@link Sidecar} itself, so none of them can reach into another's state.
 */
interface ConnectionContext {
  Limits limits();

  /** Every connection time (start, end, duration) is read from this clock. */
  Clock clock();

  /** Counts a new client connection; false when the sidecar's connection limit is reached. */
  boolean admit();

  /** A counted connection ended. */
  void release();

  /** A connection ended: metrics and the access log. Called once per connection. */
  void record(Connection c);

  /** A handshake was refused or failed: one log line saying who and why. */
  void refused(Connection c);
}
