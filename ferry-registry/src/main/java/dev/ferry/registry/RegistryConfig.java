package dev.ferry.registry;

import static dev.ferry.http.ServiceProperties.intValue;
import static dev.ferry.http.ServiceProperties.portValue;
import static dev.ferry.http.ServiceProperties.withPrefix;

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
    RegistryConfig c =
        new RegistryConfig(
            portValue(props, PORT),
            props.getOrDefault(HOST, "127.0.0.1"),
            props.getOrDefault(TOPIC, "_schemas"),
            (short) intValue(props, REPLICATION_FACTOR, 3),
            intValue(props, MAX_REQUEST_BYTES, 8 * 1024 * 1024),
            intValue(props, TIMEOUT_MS, 30_000),
            withPrefix(props, CLIENT_PREFIX));
    if (c.replicationFactor < 1) {
      throw new ConfigException(REPLICATION_FACTOR, c.replicationFactor, "must be at least 1");
    }
    if (c.maxRequestBytes < 1024) {
      throw new ConfigException(MAX_REQUEST_BYTES, c.maxRequestBytes, "must be at least 1024");
    }
    return c;
  }
}
