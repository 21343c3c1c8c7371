package dev.ferry.broker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one broker in this JVM until SIGTERM/SIGINT. Used by {@code ferry start} and by tests that
 * need a broker in a separate process (to SIGKILL it).
 *
 * <p>Arguments: {@code [--config FILE] [--override key=value]...}
 */
public final class BrokerMain {

  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    Path configFile = null;
    Map<String, String> overrides = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> configFile = Path.of(args[++i]);
        case "--override" -> {
          String kv = args[++i];
          int eq = kv.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--override expects key=value, got " + kv);
          }
          overrides.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    run(loadConfig(configFile, overrides));
  }

  /**
   * Whether {@link #main} takes {@code args} as they are: only {@code --config FILE} and {@code
   * --override key=value} pairs. A launcher can hand those straight over and keep its full option
   * parser (help, errors) for everything else.
   */
  public static boolean accepts(String[] args) {
    if (args.length % 2 != 0) {
      return false;
    }
    for (int i = 0; i < args.length; i += 2) {
      boolean known =
          args[i].equals("--config")
              || (args[i].equals("--override") && args[i + 1].indexOf('=') > 0);
      if (!known) {
        return false;
      }
    }
    return true;
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
    BrokerConfig config = new BrokerConfig(props);
    FerryBroker broker;
    try {
      broker = new FerryBroker(config).start();
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
