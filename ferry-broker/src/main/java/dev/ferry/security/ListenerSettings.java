package dev.ferry.security;

import dev.ferry.security.sasl.JaasConfig;
import dev.ferry.security.sasl.JaasFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigException;

/**
 * The security settings of one listener, as Kafka resolves them: {@code
 * listener.name.<listener>.<key>} (listener name in lower case) wins over the broker-wide {@code
 * <key>}. Mechanism-specific keys ({@code sasl.jaas.config}) are looked up with the mechanism
 * prefix too: {@code listener.name.<listener>.<mechanism>.<key>}. A SASL mechanism's JAAS login
 * options come from that key or from the JAAS file (see {@link #jaasOptions}).
 */
public final class ListenerSettings {

  static final String PLAIN_LOGIN_MODULE =
      "org.apache.kafka.common.security.plain.PlainLoginModule";
  static final String SCRAM_LOGIN_MODULE =
      "org.apache.kafka.common.security.scram.ScramLoginModule";

  private final String listenerName;
  private final Map<String, String> values;
  private final Supplier<JaasFile> jaasFile;

  public ListenerSettings(String listenerName, Map<String, String> values) {
    this(listenerName, values, () -> JaasFile.NONE);
  }

  /**
   * @param jaasFile the JAAS file, asked for only when a SASL mechanism's options are looked up (a
   *     broker without SASL never reads it, as Kafka does not)
   */
  public ListenerSettings(
      String listenerName, Map<String, String> values, Supplier<JaasFile> jaasFile) {
    this.listenerName = listenerName;
    this.values = values;
    this.jaasFile = jaasFile;
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

  /**
   * Every setting as this listener sees it: the broker-wide keys, then the listener's {@code
   * listener.name.<listener>.} keys with the prefix stripped, which win (as Kafka hands a
   * listener's settings to its plug-ins).
   */
  public Map<String, String> resolved() {
    Map<String, String> out = new HashMap<>();
    String prefix = prefix();
    values.forEach(
        (k, v) -> {
          if (!k.startsWith("listener.name.")) {
            out.put(k, v);
          }
        });
    values.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return out;
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

  /**
   * The JAAS login options of {@code mechanism} on this listener, with Kafka's precedence: {@code
   * listener.name.<l>.<mechanism>.sasl.jaas.config}, then the JAAS file's {@code <l>.KafkaServer}
   * section, then its {@code KafkaServer} section (from a section, the entry of the mechanism's
   * login module: PlainLoginModule for PLAIN, ScramLoginModule for SCRAM). Kafka ignores an
   * unprefixed {@code sasl.jaas.config} on a broker; Ferry takes it (and {@code
   * listener.name.<l>.sasl.jaas.config}) last, as it did before it read JAAS files.
   */
  public Optional<Map<String, String>> jaasOptions(String mechanism) {
    Optional<String> prefixed = mechanismValue(mechanism, "sasl.jaas.config");
    if (prefixed.isPresent()) {
      return prefixed.map(j -> JaasConfig.parse(j).options());
    }
    Optional<List<JaasFile.Entry>> section = jaasFile.get().serverSection(listenerName);
    if (section.isPresent()) {
      String module = loginModule(mechanism);
      for (JaasFile.Entry entry : section.get()) {
        if (entry.loginModule().equals(module)) {
          return Optional.of(entry.options());
        }
      }
    }
    return get("sasl.jaas.config").map(j -> JaasConfig.parse(j).options());
  }

  /**
   * The {@code username}/{@code password} options the broker logs in with as a client of {@code
   * mechanism} (inter-broker): those of {@link #jaasOptions}, else, as Kafka's login of a whole
   * section would give, the first entry of the file's section that has a username.
   */
  public Optional<Map<String, String>> jaasClientOptions(String mechanism) {
    Optional<Map<String, String>> options = jaasOptions(mechanism);
    if (options.isPresent() && options.get().containsKey("username")) {
      return options;
    }
    if (mechanismValue(mechanism, "sasl.jaas.config").isEmpty()) {
      for (JaasFile.Entry entry : jaasFile.get().serverSection(listenerName).orElse(List.of())) {
        if (entry.options().containsKey("username")) {
          return Optional.of(entry.options());
        }
      }
    }
    return options;
  }

  /** Where {@link #jaasOptions} looked, for a configuration error's message. */
  public String jaasSources(String mechanism) {
    String l = listenerName.toLowerCase(Locale.ROOT);
    return "listener.name."
        + l
        + "."
        + mechanism.toLowerCase(Locale.ROOT)
        + ".sasl.jaas.config, or a '"
        + l
        + "."
        + JaasFile.SERVER_SECTION
        + "' or '"
        + JaasFile.SERVER_SECTION
        + "' section with "
        + loginModule(mechanism)
        + " in the JAAS file ("
        + JaasFile.LOGIN_CONFIG_PROPERTY
        + ": "
        + jaasFile.get().location()
        + ")";
  }

  private Optional<String> mechanismValue(String mechanism, String key) {
    return Optional.ofNullable(
            values.get(prefix() + mechanism.toLowerCase(Locale.ROOT) + "." + key))
        .map(String::trim)
        .filter(s -> !s.isEmpty());
  }

  private static String loginModule(String mechanism) {
    return mechanism.equals("PLAIN") ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE;
  }
}
