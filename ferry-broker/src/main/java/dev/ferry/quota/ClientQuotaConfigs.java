package dev.ferry.quota;

import dev.ferry.metadata.EntityConfigStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The client quotas in force, mirrored from the metadata store ({@link
 * EntityConfigStore#CLIENT_QUOTAS}) and resolved for a client as Kafka does: the most specific
 * entity that sets the quota wins, in this order: user and client-id, user and default client-id,
 * user, default user and client-id, default user and default client-id, default user, client-id,
 * default client-id. The client is throttled on a rate shared by everything the winning entity
 * covers: all of a user's clients for a user quota, each client id on its own for a client-id
 * default.
 */
public final class ClientQuotaConfigs {

  /** A quota that applies, and the key of the rate it is measured on. */
  public record Resolved(double limit, String sensorKey) {}

  private volatile Map<String, Map<String, Double>> quotas = Map.of();

  /** Follows the store from now on. */
  public void start(EntityConfigStore store) {
    store.watchEntityConfigs(EntityConfigStore.CLIENT_QUOTAS, this::update);
  }

  void update(Map<String, Map<String, String>> entities) {
    Map<String, Map<String, Double>> parsed = new HashMap<>();
    entities.forEach(
        (entity, configs) -> {
          Map<String, Double> values = new HashMap<>();
          configs.forEach(
              (k, v) -> {
                try {
                  values.put(k, Double.parseDouble(v));
                } catch (NumberFormatException e) {
                  // Written by an admin request that validated it; ignore garbage.
                }
              });
          parsed.put(entity, Map.copyOf(values));
        });
    quotas = Map.copyOf(parsed);
  }

  /** True if no quota is configured at all (the common case: nothing to measure). */
  public boolean isEmpty() {
    return quotas.isEmpty();
  }

  /** The quota {@code key} for this client, or null if none applies. */
  public Resolved resolve(String user, String clientId, String key) {
    Map<String, Map<String, Double>> q = quotas;
    if (q.isEmpty()) {
      return null;
    }
    String u = QuotaEntities.enc(user);
    String c = QuotaEntities.enc(clientId);
    String d = QuotaEntities.DEFAULT;
    String[][] order = {
      {u, c, u, c},
      {u, d, u, c},
      {u, null, u, null},
      {d, c, u, c},
      {d, d, u, c},
      {d, null, u, null},
      {null, c, null, c},
      {null, d, null, c}
    };
    for (String[] level : order) {
      Map<String, Double> configs = q.get(QuotaEntities.key(level[0], level[1]));
      Double limit = configs == null ? null : configs.get(key);
      if (limit != null) {
        return new Resolved(limit, QuotaEntities.key(level[2], level[3]));
      }
    }
    return null;
  }
}
