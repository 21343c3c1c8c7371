package dev.ferry.tools.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Ferry's default logging, set up in code: one line per event on stderr, Ferry at {@code
 * ferry.log.level} (INFO unless set), ZooKeeper, Curator and the Kafka library at WARN, the Kafka
 * client's connection chatter at ERROR.
 *
 * <p>Why code and not a {@code logback.xml}: parsing XML pulls in the JDK's XML stack and Joran,
 * about a tenth of a second of a cold broker start. An operator's own file still wins: with {@code
 * -Dlogback.configurationFile=...} this configurator steps aside and logback reads that file.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class ConsoleLogging extends ContextAwareBase implements Configurator {

  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
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

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(System.getProperty("ferry.log.level"), Level.INFO));
    root.addAppender(stderr);
    // Chatty at INFO; their warnings still show.
    context.getLogger("org.apache.zookeeper").setLevel(Level.WARN);
    context.getLogger("org.apache.curator").setLevel(Level.WARN);
    context.getLogger("org.apache.kafka").setLevel(Level.WARN);
    // The client commands report failures themselves, in one line; the Java client would
    // otherwise warn about every failed connection attempt while they wait.
    context.getLogger("org.apache.kafka.clients").setLevel(Level.ERROR);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
