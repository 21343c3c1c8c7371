package dev.ferry.registry;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The registry's settings, read from the broker's properties. Off unless {@code
 * schema.registry.port} is set (0 picks a free port, for tests).
 *
 * @param clientOverrides {@code schema.registry.kafkastore.*} settings, prefix removed, given to
 *     the registry's Kafka clients (e.g. {@code security.protocol} and {@code sasl.jaas.config}
 *     when the broker's first listener is secured)
 */
public record RegistryConfig(
    int port,
    String host,
    String topic,
    short replicationFactor,
    int maxRequestBytes,
    long timeoutMs,
    Map<String, String> clientOverrides) {

  public static final String PORT = "schema.registry.port";
  public static final String HOST = "schema.registry.host";
  public static final String TOPIC = "schema.registry.topic";
  public static final String REPLICATION_FACTOR = "schema.registry.topic.replication.factor";
  public static final String MAX_REQUEST_BYTES = "schema.registry.max.request.bytes";
  public static final String TIMEOUT_MS = "schema.registry.timeout.ms";
  public static final String CLIENT_PREFIX = "schema.registry.kafkastore.";

  /** The settings, or null when the registry is off (no {@code schema.registry.port}). */
  public static RegistryConfig from(Map<String, String> props) {
    String port = props.get(PORT);
    if (port == null || port.isBlank()) {
      return null;
    }
    Map<String, String> client = new HashMap<>();
    props.forEach(
        (k, v) -> {
          if (k.startsWith(CLIENT_PREFIX)) {
            client.put(k.substring(CLIENT_PREFIX.length()), v);
          }
        });
    RegistryConfig c =
        new RegistryConfig(
            intValue(props, PORT, 0),
            props.getOrDefault(HOST, "127.0.0.1"),
            props.getOrDefault(TOPIC, "_schemas"),
            (short) intValue(props, REPLICATION_FACTOR, 3),
            intValue(props, MAX_REQUEST_BYTES, 8 * 1024 * 1024),
            intValue(props, TIMEOUT_MS, 30_000),
            Map.copyOf(client));
    if (c.port < 0 || c.port > 65535) {
      throw new ConfigException(PORT, c.port, "must be a port number (0: any free port)");
    }
    if (c.replicationFactor < 1) {
      throw new ConfigException(REPLICATION_FACTOR, c.replicationFactor, "must be at least 1");
    }
    if (c.maxRequestBytes < 1024) {
      throw new ConfigException(MAX_REQUEST_BYTES, c.maxRequestBytes, "must be at least 1024");
    }
    return c;
  }

  private static int intValue(Map<String, String> props, String key, int dflt) {
    String v = props.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, v, "not an integer");
    }
  }
}
