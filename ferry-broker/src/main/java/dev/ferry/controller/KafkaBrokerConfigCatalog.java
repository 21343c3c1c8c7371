package dev.ferry.controller;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * Kafka 4.4's broker configs (name, type, default and whether Kafka can change them without a
 * restart), read from a resource generated from Kafka's own DescribeConfigs answer. Tools and
 * consoles expect a broker to describe every one of them; Ferry lists each with the default Kafka
 * documents unless Ferry reads the config itself, and uses the types to judge sensitivity (a
 * PASSWORD is never shown) and to describe listener-prefixed settings.
 */
public final class KafkaBrokerConfigCatalog {

  /** One Kafka broker config; {@code defaultValue} is null where Kafka has none. */
  public record Definition(
      String name, ConfigType type, String defaultValue, boolean dynamicInKafka) {}

  private static final String RESOURCE = "kafka-broker-configs.tsv";
  private static final String NO_DEFAULT = "\\N";
  private static final Pattern LISTENER_PREFIX = Pattern.compile("listener\\.name\\.[^.]*\\.(.*)");

  /**
   * Kafka's synonym groups: one setting written with different units, most precise first (the first
   * one set wins). Other configs are their own only synonym.
   */
  private static final List<List<String>> SYNONYM_GROUPS =
      List.of(
          List.of("log.roll.ms", "log.roll.hours"),
          List.of("log.roll.jitter.ms", "log.roll.jitter.hours"),
          List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours"));

  private static final Map<String, Definition> DEFINITIONS = load();

  private KafkaBrokerConfigCatalog() {}

  /** Every Kafka broker config, by name, in name order. */
  public static Map<String, Definition> all() {
    return DEFINITIONS;
  }

  /**
   * The definition of {@code name}; a {@code listener.name.<listener>.<config>} override has the
   * definition of the config it overrides.
   */
  public static Optional<Definition> definition(String name) {
    Definition d = DEFINITIONS.get(name);
    if (d == null) {
      Matcher m = LISTENER_PREFIX.matcher(name);
      if (m.matches()) {
        d = DEFINITIONS.get(m.group(1));
      }
    }
    return Optional.ofNullable(d);
  }

  /**
   * The names whose values stand for {@code name}, highest precedence first, {@code name} itself
   * included: the unit variants of a time setting, and for a listener override the config it
   * overrides. {@code log.flush.interval.ms} falls back to {@code log.flush.scheduler.interval.ms}.
   */
  public static List<String> synonyms(String name) {
    for (List<String> group : SYNONYM_GROUPS) {
      if (group.contains(name)) {
        return group;
      }
    }
    if (name.equals("log.flush.interval.ms")) {
      return List.of(name, "log.flush.scheduler.interval.ms");
    }
    Matcher m = LISTENER_PREFIX.matcher(name);
    if (m.matches()) {
      return List.of(name, m.group(1));
    }
    return List.of(name);
  }

  private static Map<String, Definition> load() {
    Map<String, Definition> out = new LinkedHashMap<>();
    try (InputStream in = KafkaBrokerConfigCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource " + RESOURCE);
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        if (f.length != 4) {
          throw new IllegalStateException("Bad line in " + RESOURCE + ": " + line);
        }
        out.put(
            f[0],
            new Definition(
                f[0],
                ConfigType.valueOf(f[1]),
                f[2].equals(NO_DEFAULT) ? null : f[2],
                f[3].equals("dynamic")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Collections.unmodifiableMap(out);
  }
}
