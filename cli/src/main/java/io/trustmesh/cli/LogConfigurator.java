package io.trustmesh.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * trustmesh's logging set-up, in code: logback finds it through {@code ServiceLoader} before it
 * looks for a {@code logback.xml}. It replaces an XML file whose parse (Joran: ~300 classes, a
 * model, an interpreter) cost every sidecar start several MB of metaspace and tens of ms of CPU.
 *
 * <p>What it sets up is what that file did: one stderr appender with the pattern {@link #PATTERN};
 * {@code io.trustmesh.proxy} and {@code io.trustmesh.api} at {@code TRUSTMESH_PROXY_LOG_LEVEL}
 * (default INFO: the sidecar reports refusals and reloads as they happen); the root at {@code
 * TRUSTMESH_LOG_LEVEL} (default WARN); {@code io.netty.bootstrap.Bootstrap} at ERROR (gRPC asks
 * every channel for SO_KEEPALIVE, which unix-socket channels do not have; Netty warns on each
 * connect). Each variable may also be a system property, as logback's {@code ${VAR}} allowed.
 *
 * <p>{@code -Dlogback.configurationFile=FILE}, or a {@code logback-test.xml} on the class path
 * (tests), still wins: this configurator then steps aside.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Level proxy = level("TRUSTMESH_PROXY_LOG_LEVEL", Level.INFO);
    context.getLogger("io.trustmesh.proxy").setLevel(proxy);
    context.getLogger("io.trustmesh.api").setLevel(proxy);
    context.getLogger("io.netty.bootstrap.Bootstrap").setLevel(Level.ERROR);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(level("TRUSTMESH_LOG_LEVEL", Level.WARN));
    root.addAppender(stderr);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** A system property, else the environment variable, as logback's {@code ${NAME:-default}} looked them up. */
  private static Level level(String name, Level fallback) {
    String value = System.getProperty(name);
    return Level.toLevel(value != null ? value : System.getenv(name), fallback);
  }
}
