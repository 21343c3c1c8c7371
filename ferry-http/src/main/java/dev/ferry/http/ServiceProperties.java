package dev.ferry.http;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Reading an HTTP service's settings out of the broker's properties: the services (console, schema
 * registry) are configured in the broker's own file, so their keys share its string map and its
 * error style (Kafka's {@link ConfigException}, naming the key).
 */
public final class ServiceProperties {

  private ServiceProperties() {}

  /** The integer at {@code key}, or {@code dflt} when it is absent or blank. */
  public static int intValue(Map<String, String> props, String key, int dflt) {
    String v = props.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, v, "not an integer");
    }
  }

  /** The port at {@code key}: 0 (any free port, for tests) up to 65535. */
  public static int portValue(Map<String, String> props, String key) {
    int port = intValue(props, key, 0);
    if (port < 0 || port > 65535) {
      throw new ConfigException(key, port, "must be a port number (0: any free port)");
    }
    return port;
  }

  /**
   * The settings under {@code prefix}, prefix removed: what a service hands to the Kafka clients it
   * runs (e.g. the security settings of the listener they connect to).
   */
  public static Map<String, String> withPrefix(Map<String, String> props, String prefix) {
    Map<String, String> found = new HashMap<>();
    props.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            found.put(k.substring(prefix.length()), v);
          }
        });
    return Map.copyOf(found);
  }
}
