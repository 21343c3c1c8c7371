package dev.ferry.controller;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Dynamic broker config changes as request handlers see them (IncrementalAlterConfigs on a BROKER
 * resource): like {@link TopicAdmin}, every call returns at once and runs on the admin thread.
 */
public interface BrokerConfigAdmin {

  /**
   * Replaces the overrides of broker {@code resourceName} (a broker id, or empty for the cluster
   * default) by {@code change} applied to the current ones.
   */
  CompletableFuture<Void> alterConfigs(
      String resourceName, UnaryOperator<Map<String, String>> change, boolean validateOnly);
}
