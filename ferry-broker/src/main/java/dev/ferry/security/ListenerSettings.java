package dev.ferry.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * The security settings of one listener, as Kafka resolves them: {@code
 * listener.name.<listener>.<key>} (listener name in lower case) wins over the broker-wide {@code
 * <key>}. Mechanism-specific keys ({@code sasl.jaas.config}) are looked up with the mechanism
 * prefix too: {@code listener.name.<listener>.<mechanism>.<key>}.
 */
public final class ListenerSettings {

  private final String listenerName;
  private final Map<String, String> values;

  public ListenerSettings(String listenerName, Map<String, String> values) {
    this.listenerName = listenerName;
    this.values = values;
  }

  public String listenerName() {
    return listenerName;
  }

  private String prefix() {
    return "listener.name." + listenerName.toLowerCase(Locale.ROOT) + ".";
  }

  public Optional<String> get(String key) {
    String v = values.get(prefix() + key);
    if (v == null) {
      v = values.get(key);
    }
    return Optional.ofNullable(v).map(String::trim).filter(s -> !s.isEmpty());
  }

  /** {@code listener.name.<l>.<mechanism>.<key>}, then the listener's and the broker's key. */
  public Optional<String> getForMechanism(String mechanism, String key) {
    String v = values.get(prefix() + mechanism.toLowerCase(Locale.ROOT) + "." + key);
    return v != null ? Optional.of(v.trim()) : get(key);
  }

  public String get(String key, String defaultValue) {
    return get(key).orElse(defaultValue);
  }

  public List<String> list(String key, String defaultValue) {
    List<String> out = new ArrayList<>();
    for (String s : get(key, defaultValue).split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  public long longValue(String key, long defaultValue) {
    Optional<String> v = get(key);
    try {
      return v.isEmpty() ? defaultValue : Long.parseLong(v.get());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, v.get(), "not a number");
    }
  }
}
