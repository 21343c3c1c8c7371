package dev.ferry.controller;

import dev.ferry.metadata.GroupConfigStore;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.errors.InvalidRequestException;

/** {@link GroupConfigAdmin} over a {@link GroupConfigStore}, on the admin executor. */
public final class AdminThreadGroupConfigs implements GroupConfigAdmin {

  private final GroupConfigStore store;
  private final Executor adminExecutor;

  public AdminThreadGroupConfigs(GroupConfigStore store, Executor adminExecutor) {
    this.store = store;
    this.adminExecutor = adminExecutor;
  }

  @Override
  public CompletableFuture<Void> alterConfigs(
      String groupId, UnaryOperator<Map<String, String>> change, boolean validateOnly) {
    try {
      return CompletableFuture.runAsync(
          () -> {
            if (groupId == null || groupId.isEmpty()) {
              throw new InvalidRequestException("A group config resource needs a group id");
            }
            Map<String, String> overrides =
                change.apply(new HashMap<>(store.groupConfigs(groupId)));
            GroupConfigDefinitions.validate(overrides);
            if (!validateOnly) {
              store.setGroupConfigs(groupId, overrides);
            }
          },
          adminExecutor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
