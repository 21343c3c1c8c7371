package dev.ferry.controller;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Group config changes as request handlers see them: like {@link TopicAdmin}, every call returns at
 * once and runs on the broker's admin thread, where reading the current overrides, validating the
 * new ones and writing them happen together.
 */
public interface GroupConfigAdmin {

  /**
   * Replaces the group's overrides by {@code change} applied to the current ones.
   *
   * @return fails with {@link org.apache.kafka.common.errors.InvalidConfigurationException} for an
   *     unknown name or a bad value
   */
  CompletableFuture<Void> alterConfigs(
      String groupId, UnaryOperator<Map<String, String>> change, boolean validateOnly);
}
