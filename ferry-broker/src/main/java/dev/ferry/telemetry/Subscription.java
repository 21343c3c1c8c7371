package dev.ferry.telemetry;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A client-metrics subscription: the metric name prefixes it asks for, how often, and the clients
 * it applies to (every pattern must match the whole attribute; no pattern matches every client).
 */
public record Subscription(
    String name, List<String> metrics, int intervalMs, Map<String, Pattern> match) {

  public Subscription {
    metrics = List.copyOf(metrics);
    match = Map.copyOf(match);
  }

  boolean matches(ClientAttributes client) {
    for (Map.Entry<String, Pattern> e : match.entrySet()) {
      String value = client.attribute(e.getKey());
      if (value == null || !e.getValue().matcher(value).matches()) {
        return false;
      }
    }
    return true;
  }
}
