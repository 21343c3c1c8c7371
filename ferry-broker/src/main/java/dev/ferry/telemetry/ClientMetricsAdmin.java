package dev.ferry.telemetry;

import dev.ferry.metadata.EntityConfigStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;

/**
 * Client-metrics subscriptions as config resources: stored as entities of {@link
 * EntityConfigStore#CLIENT_METRICS} (in ZooKeeper beside the other dynamic configs, watched by
 * every broker's {@link ClientMetricsManager}). Changes run on the broker's admin thread, where
 * reading the current configs, validating the new ones and writing them happen together; the
 * blocking reads are for handlers that already run there.
 */
public final class ClientMetricsAdmin {

  private final EntityConfigStore store;
  private final Executor adminExecutor;

  public ClientMetricsAdmin(EntityConfigStore store, Executor adminExecutor) {
    this.store = store;
    this.adminExecutor = adminExecutor;
  }

  /**
   * Replaces the subscription's configs by {@code change} applied to the current ones; no configs
   * left deletes the subscription.
   */
  public CompletableFuture<Void> alterConfigs(
      String name, UnaryOperator<Map<String, String>> change, boolean validateOnly) {
    try {
      return CompletableFuture.runAsync(
          () -> {
            Map<String, String> before =
                name == null || name.isEmpty()
                    ? Map.of()
                    : store.entityConfigs(EntityConfigStore.CLIENT_METRICS, name);
            Map<String, String> after = change.apply(new HashMap<>(before));
            ClientMetricsConfigs.validate(name, after);
            if (!validateOnly && !after.equals(before)) {
              store.setEntityConfigs(EntityConfigStore.CLIENT_METRICS, name, after);
            }
          },
          adminExecutor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The subscription's configs as set (blocking; empty if there is none). */
  public Map<String, String> configs(String name) {
    return store.entityConfigs(EntityConfigStore.CLIENT_METRICS, name);
  }

  /** Every subscription's name (blocking). */
  public Set<String> names() {
    return store.allEntityConfigs(EntityConfigStore.CLIENT_METRICS).keySet();
  }

  /** The executor the blocking reads belong on. */
  public Executor executor() {
    return adminExecutor;
  }
}
