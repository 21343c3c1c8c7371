package dev.ferry.tools.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Options every client command shares: where the cluster is and how long to wait for it. */
public final class ClientOptions {

  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

  @Option(
      names = {"-b", "--bootstrap-server"},
      paramLabel = "HOST:PORT",
      defaultValue = DEFAULT_BOOTSTRAP,
      description = "Broker(s) to bootstrap from, comma-separated (default: ${DEFAULT-VALUE}).")
  public String bootstrapServer;

  @Option(
      names = "--request-timeout-ms",
      paramLabel = "MS",
      defaultValue = "10000",
      description =
          "Give up on the cluster after this long: unreachable broker, unanswered request "
              + "(default: ${DEFAULT-VALUE}).")
  public int requestTimeoutMs;

  @Option(
      names = "--command-config",
      paramLabel = "FILE",
      description = "Properties file with extra Kafka client settings (security, tuning).")
  public Path commandConfig;

  @Option(
      names = "--client-property",
      paramLabel = "KEY=VALUE",
      description = "One extra Kafka client setting, over --command-config; repeatable.")
  public Map<String, String> clientProperties = new LinkedHashMap<>();

  /** Client settings from --command-config and --client-property (these win). */
  public Map<String, Object> extraProperties() {
    Map<String, Object> props = new HashMap<>();
    if (commandConfig != null) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(commandConfig)) {
        p.load(in);
      } catch (IOException e) {
        throw new CliException("cannot read " + commandConfig + ": " + e.getMessage());
      }
      p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
    }
    props.putAll(clientProperties);
    return props;
  }
}
