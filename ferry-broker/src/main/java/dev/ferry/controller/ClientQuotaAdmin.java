package dev.ferry.controller;

import dev.ferry.metadata.EntityConfigStore;
import dev.ferry.quota.ClientQuotas;
import dev.ferry.quota.QuotaEntities;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * Client quota changes and reads (AlterClientQuotas, DescribeClientQuotas) on the admin thread,
 * stored in the metadata store ({@link EntityConfigStore#CLIENT_QUOTAS}) and from there applied by
 * every broker. Validation follows Kafka: a known key for the entity, whole numbers for byte rates,
 * no negative values.
 */
public final class ClientQuotaAdmin {

  /** One change: set {@code key} to {@code value}, or remove it. */
  public record Op(String key, double value, boolean remove) {}

  private static final Set<String> LONG_KEYS =
      Set.of(ClientQuotas.PRODUCER_BYTE_RATE, ClientQuotas.CONSUMER_BYTE_RATE);
  private static final Set<String> DOUBLE_KEYS = Set.of(ClientQuotas.REQUEST_PERCENTAGE);

  private final EntityConfigStore store;
  private final Executor adminExecutor;

  public ClientQuotaAdmin(EntityConfigStore store, Executor adminExecutor) {
    this.store = store;
    this.adminExecutor = adminExecutor;
  }

  /** Applies {@code ops} to the quotas of {@code entity} (type to name, null for a default). */
  public CompletableFuture<Void> alter(
      Map<String, String> entity, List<Op> ops, boolean validateOnly) {
    try {
      return CompletableFuture.runAsync(
          () -> {
            String name = QuotaEntities.encode(entity);
            Map<String, String> current =
                new HashMap<>(store.entityConfigs(EntityConfigStore.CLIENT_QUOTAS, name));
            for (Op op : ops) {
              validate(op);
              if (op.remove()) {
                current.remove(op.key());
              } else {
                current.put(op.key(), format(op));
              }
            }
            if (!validateOnly) {
              store.setEntityConfigs(EntityConfigStore.CLIENT_QUOTAS, name, current);
            }
          },
          adminExecutor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Every entity with quotas: entity (type to name, null for default) to its values. */
  public CompletableFuture<Map<Map<String, String>, Map<String, Double>>> all() {
    try {
      return CompletableFuture.supplyAsync(
          () -> {
            Map<Map<String, String>, Map<String, Double>> out = new HashMap<>();
            store
                .allEntityConfigs(EntityConfigStore.CLIENT_QUOTAS)
                .forEach(
                    (name, configs) -> {
                      Map<String, Double> values = new HashMap<>();
                      configs.forEach((k, v) -> values.put(k, Double.parseDouble(v)));
                      out.put(QuotaEntities.decode(name), values);
                    });
            return out;
          },
          adminExecutor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static void validate(Op op) {
    if (op.key() == null) {
      throw new InvalidRequestException("A quota change needs a key");
    }
    if (ClientQuotas.CONTROLLER_MUTATION_RATE.equals(op.key())) {
      throw new InvalidRequestException(
          "Ferry does not enforce "
              + op.key()
              + "; set producer_byte_rate, consumer_byte_rate"
              + " or request_percentage");
    }
    if (!LONG_KEYS.contains(op.key()) && !DOUBLE_KEYS.contains(op.key())) {
      throw new InvalidRequestException("Invalid configuration key " + op.key());
    }
    if (op.remove()) {
      return;
    }
    if (op.value() < 0 || Double.isNaN(op.value()) || Double.isInfinite(op.value())) {
      throw new InvalidRequestException(
          "Invalid value " + op.value() + " for configuration key " + op.key());
    }
    if (LONG_KEYS.contains(op.key()) && op.value() != Math.rint(op.value())) {
      throw new InvalidRequestException("Configuration " + op.key() + " must be a Long value");
    }
  }

  private static String format(Op op) {
    return LONG_KEYS.contains(op.key())
        ? String.valueOf((long) op.value())
        : String.valueOf(op.value());
  }
}
