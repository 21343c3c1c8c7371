package dev.ferry.controller;

import dev.ferry.metadata.TopicMetadata;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** {@link TopicAdmin} that runs each {@link TopicController} call on the admin executor. */
public final class AdminThreadTopicAdmin implements TopicAdmin {

  private final TopicController topics;
  private final Executor adminExecutor;

  /**
   * @param adminExecutor the broker's single "ferry-admin" thread (bounded queue)
   */
  public AdminThreadTopicAdmin(TopicController topics, Executor adminExecutor) {
    this.topics = topics;
    this.adminExecutor = adminExecutor;
  }

  @Override
  public CompletableFuture<TopicMetadata> createTopic(
      String name,
      int numPartitions,
      short replicationFactor,
      Map<Integer, List<Integer>> assignment,
      Map<String, String> configs,
      boolean validateOnly) {
    return submit(
        () ->
            topics.createTopic(
                name, numPartitions, replicationFactor, assignment, configs, validateOnly));
  }

  @Override
  public CompletableFuture<Void> deleteTopic(String name) {
    return submit(
        () -> {
          topics.deleteTopic(name);
          return null;
        });
  }

  @Override
  public CompletableFuture<TopicMetadata> createPartitions(
      String name, int newCount, List<List<Integer>> assignment, boolean validateOnly) {
    return submit(() -> topics.createPartitions(name, newCount, assignment, validateOnly));
  }

  @Override
  public CompletableFuture<TopicMetadata> alterConfigs(
      String name, UnaryOperator<Map<String, String>> change, boolean validateOnly) {
    return submit(() -> topics.alterConfigs(name, change, validateOnly));
  }

  private <T> CompletableFuture<T> submit(Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, adminExecutor);
    } catch (RejectedExecutionException e) {
      // A full admin queue is an answer too (the handler maps it to an error code).
      return CompletableFuture.failedFuture(e);
    }
  }
}
