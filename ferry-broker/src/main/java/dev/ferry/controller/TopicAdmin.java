package dev.ferry.controller;

import dev.ferry.metadata.TopicMetadata;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Topic administration as request handlers see it: every operation returns at once with a future
 * and runs on the broker's single "ferry-admin" thread, in submission order. This is the only way a
 * handler reaches a metadata write; the blocking {@link TopicController} stays behind it.
 *
 * <p>Futures fail with the Kafka exception of the failed check or write (for example {@link
 * org.apache.kafka.common.errors.TopicExistsException}), or with {@link
 * java.util.concurrent.RejectedExecutionException} when the admin queue is full.
 */
public interface TopicAdmin {

  /** See {@link TopicController#createTopic}. */
  CompletableFuture<TopicMetadata> createTopic(
      String name,
      int numPartitions,
      short replicationFactor,
      Map<Integer, List<Integer>> assignment,
      Map<String, String> configs,
      boolean validateOnly);

  CompletableFuture<Void> deleteTopic(String name);

  /** See {@link TopicController#createPartitions}. */
  CompletableFuture<TopicMetadata> createPartitions(
      String name, int newCount, List<List<Integer>> assignment, boolean validateOnly);

  /**
   * Replaces the topic's config overrides by {@code change} applied to the current ones. Reading
   * and writing happen together on the admin thread, so concurrent changes do not lose updates.
   */
  CompletableFuture<TopicMetadata> alterConfigs(
      String name, UnaryOperator<Map<String, String>> change, boolean validateOnly);
}
