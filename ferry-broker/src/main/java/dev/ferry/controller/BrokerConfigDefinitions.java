package dev.ferry.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The broker configs that may change without a restart (IncrementalAlterConfigs on a broker or on
 * the cluster default) and that Ferry applies at once: those Kafka also lists as dynamic and that a
 * running Ferry broker can act on. Everything else is refused with an error naming the config.
 */
public final class BrokerConfigDefinitions {

  private static final Predicate<String> NON_NEGATIVE_LONG =
      v -> {
        try {
          return Long.parseLong(v.trim()) >= 0;
        } catch (NumberFormatException e) {
          return false;
        }
      };

  private static final Map<String, Predicate<String>> DYNAMIC =
      new TreeMap<>(
          Map.of(
              "leader.replication.throttled.rate", NON_NEGATIVE_LONG,
              "follower.replication.throttled.rate", NON_NEGATIVE_LONG));

  private BrokerConfigDefinitions() {}

  /** The names of the dynamic broker configs Ferry applies. */
  public static Set<String> dynamicNames() {
    return DYNAMIC.keySet();
  }

  /**
   * Checks the overrides an alteration would leave (only the names it changed are judged, so a
   * stored value of an older version does not block unrelated changes).
   *
   * @throws InvalidRequestException naming configs that cannot change without a restart
   * @throws InvalidRequestException naming a config with a bad value
   */
  static void validate(Map<String, String> before, Map<String, String> after) {
    List<String> notDynamic = new ArrayList<>();
    for (Map.Entry<String, String> e : after.entrySet()) {
      if (e.getValue().equals(before.get(e.getKey()))) {
        continue;
      }
      Predicate<String> check = DYNAMIC.get(e.getKey());
      if (check == null) {
        notDynamic.add(e.getKey());
      } else if (!check.test(e.getValue())) {
        // Kafka answers a bad value of a dynamic broker config with INVALID_REQUEST too.
        throw new InvalidRequestException(
            "Invalid value "
                + e.getValue()
                + " for configuration "
                + e.getKey()
                + ": Not a non-negative number of type LONG");
      }
    }
    if (!notDynamic.isEmpty()) {
      throw new InvalidRequestException(notDynamicMessage(notDynamic));
    }
  }

  /**
   * Kafka's message, then why: a config Kafka changes without a restart but Ferry does not yet, a
   * config that needs a restart (set it in the properties file) or one no broker knows.
   */
  private static String notDynamicMessage(List<String> names) {
    StringBuilder why = new StringBuilder();
    for (String name : names) {
      Optional<KafkaBrokerConfigCatalog.Definition> d = KafkaBrokerConfigCatalog.definition(name);
      why.append(why.length() == 0 ? " (" : "; ").append(name);
      if (d.isEmpty()) {
        why.append(" is not a broker config");
      } else if (d.get().dynamicInKafka()) {
        why.append(" is dynamic in Kafka but Ferry reads it only at start-up");
      } else {
        why.append(" is read only at start-up: set it in the properties file and restart");
      }
    }
    return "Cannot update these configs dynamically: "
        + names
        + why
        + "). Ferry changes these without a restart: "
        + DYNAMIC.keySet();
  }
}
