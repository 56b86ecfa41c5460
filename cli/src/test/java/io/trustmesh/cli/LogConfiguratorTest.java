package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.classic.spi.Configurator;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The programmatic logging set-up gives what cli's logback.xml gave, and is what logback finds. */
class LogConfiguratorTest {
  @Test
  void logbackFindsItAsAService() {
    assertThat(ServiceLoader.load(Configurator.class).stream()
        .map(p -> p.type().getName())).contains(LogConfigurator.class.getName());
  }

  @Test
  void oneStderrAppenderWithThePatternAndTheLevelsOfTheXmlItReplaces() {
    LoggerContext context = new LoggerContext();
    LogConfigurator configurator = new LogConfigurator();
    configurator.setContext(context);
    // cli's tests have no logback-test.xml and set no logback.configurationFile
    assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    boolean envSetsRoot = System.getenv("TRUSTMESH_LOG_LEVEL") != null;
    boolean envSetsProxy = System.getenv("TRUSTMESH_PROXY_LOG_LEVEL") != null;
    if (!envSetsRoot) {
      assertThat(root.getLevel()).isEqualTo(Level.WARN);
    }
    if (!envSetsProxy) {
      assertThat(context.getLogger("io.trustmesh.proxy").getLevel()).isEqualTo(Level.INFO);
      assertThat(context.getLogger("io.trustmesh.api").getLevel()).isEqualTo(Level.INFO);
    }
    assertThat(context.getLogger("io.netty.bootstrap.Bootstrap").getLevel()).isEqualTo(Level.ERROR);
    ConsoleAppender<?> stderr = (ConsoleAppender<?>) root.getAppender("STDERR");
    assertThat(stderr.getTarget()).isEqualTo("System.err");
    assertThat(stderr.isStarted()).isTrue();
    assertThat(((PatternLayoutEncoder) stderr.getEncoder()).getPattern())
        .isEqualTo("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
  }

  @Test
  void aSystemPropertySetsTheLevelLikeTheXmlVariableDid() {
    System.setProperty("TRUSTMESH_PROXY_LOG_LEVEL", "DEBUG");
    try {
      LoggerContext context = new LoggerContext();
      LogConfigurator configurator = new LogConfigurator();
      configurator.setContext(context);
      configurator.configure(context);
      assertThat(context.getLogger("io.trustmesh.proxy").getLevel()).isEqualTo(Level.DEBUG);
    } finally {
      System.clearProperty("TRUSTMESH_PROXY_LOG_LEVEL");
    }
  }

  @Test
  void anExplicitConfigurationFileWins() {
    System.setProperty("logback.configurationFile", "/nonexistent/logback.xml");
    try {
      LoggerContext context = new LoggerContext();
      LogConfigurator configurator = new LogConfigurator();
      configurator.setContext(context);
      assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
    } finally {
      System.clearProperty("logback.configurationFile");
    }
  }
}
