package dev.ferry.telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * The configs of a client-metrics subscription (KIP-714, config resource type CLIENT_METRICS):
 * {@code metrics} (metric name prefixes, {@code *} for all), {@code interval.ms} (the push
 * interval) and {@code match} ({@code attribute=regex} pairs a client must all match). Names,
 * defaults, types and the checks are Kafka 4.4's, including which failure is an invalid request and
 * which an invalid config, so tools see the same errors.
 */
public final class ClientMetricsConfigs {

  public static final String METRICS = "metrics";
  public static final String INTERVAL_MS = "interval.ms";
  public static final String MATCH = "match";

  /** The {@code metrics} entry that subscribes to every metric. */
  public static final String ALL_METRICS = "*";

  public static final int INTERVAL_MS_DEFAULT = 300_000;
  private static final int MIN_INTERVAL_MS = 100;
  private static final int MAX_INTERVAL_MS = 3_600_000;

  /** The client attributes a {@code match} entry may test. */
  public static final String CLIENT_INSTANCE_ID = "client_instance_id";

  public static final String CLIENT_ID = "client_id";
  public static final String CLIENT_SOFTWARE_NAME = "client_software_name";
  public static final String CLIENT_SOFTWARE_VERSION = "client_software_version";
  public static final String CLIENT_SOURCE_ADDRESS = "client_source_address";
  public static final String CLIENT_SOURCE_PORT = "client_source_port";

  private static final Set<String> MATCH_ATTRIBUTES =
      Set.of(
          CLIENT_INSTANCE_ID,
          CLIENT_ID,
          CLIENT_SOFTWARE_NAME,
          CLIENT_SOFTWARE_VERSION,
          CLIENT_SOURCE_ADDRESS,
          CLIENT_SOURCE_PORT);

  /** One config: declared type and default as DescribeConfigs reports them. */
  public record Definition(String name, ConfigType type, String defaultValue) {}

  /** In the order Kafka 4.4's DescribeConfigs lists them. */
  private static final Map<String, Definition> DEFINITIONS = new LinkedHashMap<>();

  static {
    define(new Definition(METRICS, ConfigType.LIST, ""));
    define(new Definition(INTERVAL_MS, ConfigType.INT, String.valueOf(INTERVAL_MS_DEFAULT)));
    define(new Definition(MATCH, ConfigType.LIST, ""));
  }

  private ClientMetricsConfigs() {}

  private static void define(Definition d) {
    DEFINITIONS.put(d.name(), d);
  }

  /** Every config of a subscription. */
  public static List<Definition> definitions() {
    return List.copyOf(DEFINITIONS.values());
  }

  /**
   * Checks a subscription's whole set of overrides after a change.
   *
   * @throws InvalidRequestException for an empty name, an unknown config or an interval out of
   *     range (as Kafka 4.4)
   * @throws InvalidConfigurationException for a value that does not parse or a bad match entry
   */
  public static void validate(String name, Map<String, String> configs) {
    if (name == null || name.isEmpty()) {
      throw new InvalidRequestException("A client metrics subscription needs a name");
    }
    for (String key : configs.keySet()) {
      if (!DEFINITIONS.containsKey(key)) {
        throw new InvalidRequestException("Unknown client metrics config " + key);
      }
    }
    String interval = configs.get(INTERVAL_MS);
    if (interval != null) {
      int ms = parseInt(interval);
      if (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
        throw new InvalidRequestException(
            INTERVAL_MS
                + " "
                + ms
                + " is out of range: the push interval is "
                + MIN_INTERVAL_MS
                + " ms to 1 hour");
      }
    }
    matchPatterns(list(configs.get(MATCH)));
  }

  /** The subscription described by valid {@code configs}. */
  public static Subscription subscription(String name, Map<String, String> configs) {
    String interval = configs.get(INTERVAL_MS);
    return new Subscription(
        name,
        list(configs.get(METRICS)),
        interval == null ? INTERVAL_MS_DEFAULT : parseInt(interval),
        matchPatterns(list(configs.get(MATCH))));
  }

  /** A set value as Kafka describes it: lists re-joined with bare commas, ints trimmed. */
  public static String normalize(Definition d, String value) {
    return switch (d.type()) {
      case LIST -> String.join(",", list(value));
      case INT -> value.trim();
      default -> value;
    };
  }

  /** A LIST value as Kafka's config parser splits it: on commas, trimmed, empty for blank. */
  static List<String> list(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String item : value.split("\\s*,\\s*", -1)) {
      out.add(item.trim());
    }
    return out;
  }

  private static int parseInt(String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidConfigurationException(
          "Invalid value " + value + " for " + INTERVAL_MS + ": not a 32-bit integer");
    }
  }

  /** {@code attribute=regex} entries by attribute. */
  static Map<String, Pattern> matchPatterns(List<String> entries) {
    Map<String, Pattern> out = new LinkedHashMap<>();
    for (String entry : entries) {
      String[] parts = entry.split("=");
      if (parts.length != 2) {
        throw new InvalidConfigurationException(
            "Match entry " + entry + " is not of the form attribute=regex");
      }
      String attribute = parts[0].trim();
      if (!MATCH_ATTRIBUTES.contains(attribute)) {
        throw new InvalidConfigurationException(
            "Match entry " + entry + " names an unknown client attribute " + attribute);
      }
      try {
        out.put(attribute, Pattern.compile(parts[1].trim()));
      } catch (PatternSyntaxException e) {
        throw new InvalidConfigurationException(
            "Match entry " + entry + " has an invalid regular expression");
      }
    }
    return out;
  }

  /** Every attribute a match entry may name (for docs and tests). */
  public static List<String> matchAttributes() {
    return Arrays.asList(
        CLIENT_INSTANCE_ID,
        CLIENT_ID,
        CLIENT_SOFTWARE_NAME,
        CLIENT_SOFTWARE_VERSION,
        CLIENT_SOURCE_ADDRESS,
        CLIENT_SOURCE_PORT);
  }
}
