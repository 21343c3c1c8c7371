package dev.ferry.console;

import static dev.ferry.http.ServiceProperties.intValue;
import static dev.ferry.http.ServiceProperties.portValue;
import static dev.ferry.http.ServiceProperties.withPrefix;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The console's settings, read from the broker's properties. Off unless {@code console.port} is set
 * (0 picks a free port, for tests).
 *
 * @param listener the broker listener the console's clients connect to; null: the first SASL
 *     listener when the broker has one, else the first listener
 * @param saslMechanism the mechanism the console's clients authenticate with on a SASL listener;
 *     null: the first of PLAIN, SCRAM-SHA-512, SCRAM-SHA-256 the listener enables
 * @param registryUrl where record values with a schema id are decoded; null: the broker's own
 *     schema registry when {@code schema.registry.port} names a fixed port, else none
 * @param clientOverrides {@code console.client.*} settings, prefix removed, for the console's Kafka
 *     clients (e.g. {@code ssl.truststore.location} when the broker's first listener uses TLS)
 */
public record ConsoleConfig(
    int port,
    String host,
    int maxRecords,
    int maxValueChars,
    long timeoutMs,
    String listener,
    String saslMechanism,
    String registryUrl,
    Map<String, String> clientOverrides) {

  public static final String PORT = "console.port";
  public static final String HOST = "console.host";
  public static final String MAX_RECORDS = "console.max.records";
  public static final String MAX_VALUE_CHARS = "console.max.value.chars";
  public static final String TIMEOUT_MS = "console.timeout.ms";
  public static final String LISTENER = "console.listener";
  public static final String SASL_MECHANISM = "console.sasl.mechanism";
  public static final String REGISTRY_URL = "console.schema.registry.url";
  public static final String CLIENT_PREFIX = "console.client.";

  /** The settings, or null when the console is off (no {@code console.port}). */
  public static ConsoleConfig from(Map<String, String> props) {
    String port = props.get(PORT);
    if (port == null || port.isBlank()) {
      return null;
    }
    ConsoleConfig c =
        new ConsoleConfig(
            portValue(props, PORT),
            props.getOrDefault(HOST, "127.0.0.1"),
            intValue(props, MAX_RECORDS, 500),
            intValue(props, MAX_VALUE_CHARS, 20_000),
            intValue(props, TIMEOUT_MS, 15_000),
            props.get(LISTENER),
            props.get(SASL_MECHANISM),
            props.containsKey(REGISTRY_URL) ? props.get(REGISTRY_URL) : ownRegistry(props),
            withPrefix(props, CLIENT_PREFIX));
    if (c.maxRecords < 1 || c.maxRecords > 10_000) {
      throw new ConfigException(MAX_RECORDS, c.maxRecords, "must be between 1 and 10000");
    }
    if (c.maxValueChars < 100) {
      throw new ConfigException(MAX_VALUE_CHARS, c.maxValueChars, "must be at least 100");
    }
    if (c.timeoutMs < 1000) {
      throw new ConfigException(TIMEOUT_MS, c.timeoutMs, "must be at least 1000");
    }
    return c;
  }

  /** The broker's own schema registry, when it is on at a known port. */
  private static String ownRegistry(Map<String, String> props) {
    int port = intValue(props, "schema.registry.port", 0);
    if (port <= 0) {
      return null;
    }
    String host = props.getOrDefault("schema.registry.host", "127.0.0.1");
    if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    return "http://" + host + ":" + port;
  }
}
