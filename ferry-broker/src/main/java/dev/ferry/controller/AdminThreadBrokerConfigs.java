package dev.ferry.controller;

import dev.ferry.metadata.EntityConfigStore;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * {@link BrokerConfigAdmin} over the {@link EntityConfigStore}: validates against {@link
 * BrokerConfigDefinitions} and writes on the admin executor. Every broker watches its own entity
 * and the default, so a change applies on the brokers it names without a restart.
 */
public final class AdminThreadBrokerConfigs implements BrokerConfigAdmin {

  private final EntityConfigStore store;
  private final Executor adminExecutor;

  public AdminThreadBrokerConfigs(EntityConfigStore store, Executor adminExecutor) {
    this.store = store;
    this.adminExecutor = adminExecutor;
  }

  @Override
  public CompletableFuture<Void> alterConfigs(
      String resourceName, UnaryOperator<Map<String, String>> change, boolean validateOnly) {
    try {
      return CompletableFuture.runAsync(
          () -> {
            String entity = entity(resourceName);
            Map<String, String> before = store.entityConfigs(EntityConfigStore.BROKERS, entity);
            Map<String, String> after = change.apply(new HashMap<>(before));
            BrokerConfigDefinitions.validate(before, after);
            if (!validateOnly && !after.equals(before)) {
              store.setEntityConfigs(EntityConfigStore.BROKERS, entity, after);
            }
          },
          adminExecutor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The store entity of a BROKER resource name: a broker id, or the default for "". */
  static String entity(String resourceName) {
    if (resourceName == null || resourceName.isEmpty()) {
      return EntityConfigStore.DEFAULT;
    }
    try {
      return String.valueOf(Integer.parseInt(resourceName));
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("Invalid broker id " + resourceName);
    }
  }
}
