package io.trustmesh.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** Long-running commands (server, agent) log what they do at INFO unless TRUSTMESH_LOG_LEVEL says otherwise. */
final class Logging {
  private Logging() {}

  /** gRPC asks for SO_KEEPALIVE on every channel; on a unix socket Netty warns that it does not apply. */
  static void quietNetty() {
    ((Logger) LoggerFactory.getLogger("io.netty.bootstrap")).setLevel(Level.ERROR);
  }

  static void daemon() {
    daemon(Optional.empty());
  }

  /** {@code level} (DEBUG, INFO, WARN, ERROR, e.g. a SPIRE file's log_level) unless TRUSTMESH_LOG_LEVEL is set. */
  static void daemon(Optional<String> level) {
    if (System.getenv("TRUSTMESH_LOG_LEVEL") == null) {
      ((Logger) LoggerFactory.getLogger("io.trustmesh")).setLevel(Level.toLevel(level.orElse("INFO"), Level.INFO));
    }
    ((Logger) LoggerFactory.getLogger("io.netty.bootstrap")).setLevel(Level.ERROR);
  }
}
