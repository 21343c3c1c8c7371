package dev.ferry.broker;

import dev.ferry.runtime.ProcessHalt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * Runs one broker in this JVM until SIGTERM/SIGINT. Used by {@code ferry start} and by tests that
 * need a broker in a separate process (to SIGKILL it).
 *
 * <p>Arguments: {@code [--config FILE] [--override key=value]...}
 */
public final class BrokerMain {

  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    run(
        configFromArguments(args)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Expected [--config FILE] [--override key=value]..., got "
                            + String.join(" ", args))));
  }

  /**
   * The broker configuration named by {@code args} when they are only {@code --config FILE} and
   * {@code --override key=value} pairs; empty for anything else, so a launcher can hand plain
   * arguments straight over and keep its full option parser (help, errors) for the rest.
   *
   * @throws IOException if the config file cannot be read
   */
  public static Optional<Map<String, String>> configFromArguments(String[] args)
      throws IOException {
    if (args.length % 2 != 0) {
      return Optional.empty();
    }
    Path configFile = null;
    Map<String, String> overrides = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      int eq = value.indexOf('=');
      if (args[i].equals("--config")) {
        configFile = Path.of(value);
      } else if (args[i].equals("--override") && eq > 0) {
        overrides.put(value.substring(0, eq).trim(), value.substring(eq + 1).trim());
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(loadConfig(configFile, overrides));
  }

  /** Properties from {@code file} (if any) with {@code overrides} on top. */
  public static Map<String, String> loadConfig(Path file, Map<String, String> overrides)
      throws IOException {
    Map<String, String> props = new HashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      }
      for (String name : p.stringPropertyNames()) {
        props.put(name, p.getProperty(name).trim());
      }
    }
    props.putAll(overrides);
    return props;
  }

  /** Starts a broker, prints where it listens, and blocks until the JVM is asked to stop. */
  public static void run(Map<String, String> props) throws InterruptedException {
    // A standalone broker always uses ZooKeeper: begin the protocol classes' initialisation now,
    // before the configuration and broker wiring, so that it is done when the main thread has
    // opened its ZooKeeper session (FerryBroker starts it too, once per JVM). Logging is set up
    // first, on this thread: a logger asked for by another thread while SLF4J initialises would
    // be a stand-in whose early events are replayed with a warning.
    LoggerFactory.getILoggerFactory();
    ProtocolWarmup.startInBackground();
    BrokerConfig config = new BrokerConfig(props);
    FerryBroker broker;
    try {
      // The broker process halts once every log dir has failed, as Kafka does.
      broker = new FerryBroker(config).onAllLogDirsFailed(ProcessHalt.RUNTIME).start();
    } catch (RuntimeException e) {
      System.err.println("ferry: broker failed to start: " + e.getMessage());
      // ZooKeeper leaves non-daemon threads behind; exit explicitly so the JVM cannot hang.
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close();
                  stopped.countDown();
                },
                "ferry-shutdown"));
    System.out.println(
        "Ferry broker "
            + config.brokerId
            + " listening on "
            + broker.bootstrapServers()
            + " (log.dirs="
            + String.join(",", config.logDirs.stream().map(Path::toString).toList())
            + ")");
    System.out.flush();
    stopped.await();
  }
}
