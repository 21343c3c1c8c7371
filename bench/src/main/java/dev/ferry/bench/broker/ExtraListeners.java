package dev.ferry.bench.broker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The listeners of {@link BrokerSettings#extraListeners()}: each named after its security protocol
 * (SSL://, SASL_SSL://...) on a free loopback port, added to a broker's {@code listeners} and
 * {@code advertised.listeners} the same way for Kafka and Ferry.
 */
final class ExtraListeners {

  private ExtraListeners() {}

  /** A free port for each extra listener, in the settings' order. */
  static Map<String, Integer> ports(BrokerSettings settings) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String listener : settings.extraListeners()) {
      ports.put(listener, FreePorts.loopbackPort());
    }
    return ports;
  }

  /**
   * Appends the listeners to {@code listeners} and {@code advertised.listeners} in {@code config}.
   */
  static void append(Map<String, String> config, Map<String, Integer> ports) {
    StringBuilder listeners = new StringBuilder();
    StringBuilder advertised = new StringBuilder();
    ports.forEach(
        (listener, port) -> {
          listeners.append(',').append(listener).append("://127.0.0.1:").append(port);
          advertised.append(',').append(listener).append("://127.0.0.1:").append(port);
        });
    config.put("listeners", config.get("listeners") + listeners);
    config.put("advertised.listeners", config.get("advertised.listeners") + advertised);
  }

  /** ",SSL:SSL,SASL_SSL:SASL_SSL" for Kafka's explicit {@code listener.security.protocol.map}. */
  static String protocolMap(Map<String, Integer> ports) {
    StringBuilder map = new StringBuilder();
    ports.keySet().forEach(l -> map.append(',').append(l).append(':').append(l));
    return map.toString();
  }
}
