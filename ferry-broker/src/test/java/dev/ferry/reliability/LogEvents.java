package dev.ferry.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Counts log events of a logger hierarchy by level and keeps the first few messages at WARN and at
 * ERROR, so a test can assert what the broker said about bad input without storing every line.
 */
final class LogEvents extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private static final int KEEP = 200;

  private final Logger logger;
  private final Map<String, AtomicLong> byLevel = new TreeMap<>();
  private final List<String> kept = new CopyOnWriteArrayList<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();

  LogEvents(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    for (Level l : List.of(Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG, Level.TRACE)) {
      byLevel.put(l.toString(), new AtomicLong());
    }
    setContext(logger.getLoggerContext());
    start();
    logger.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent e) {
    byLevel.get(e.getLevel().toString()).incrementAndGet();
    if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
      List<String> into = e.getLevel() == Level.ERROR ? errors : kept;
      if (into.size() < KEEP) {
        into.add(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage());
      }
    }
  }

  long count(Level level) {
    return byLevel.get(level.toString()).get();
  }

  /** The first messages at WARN. */
  List<String> warnings() {
    return kept;
  }

  /** The first messages at ERROR. */
  List<String> errors() {
    return errors;
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
