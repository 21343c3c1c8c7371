package dev.ferry.metadata;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Config overrides of non-topic entities, as Kafka keeps them beside topic configs: dynamic broker
 * configs ({@value #BROKERS}, by broker id or {@value #DEFAULT} for the cluster default) and client
 * quotas ({@value #CLIENT_QUOTAS}, by entity such as {@code user=alice,client-id=app}) and
 * client-metrics subscriptions ({@value #CLIENT_METRICS}, by subscription name). Reads and writes
 * block (admin thread); watchers hear of every change on a store thread.
 */
public interface EntityConfigStore {

  /** Entity type of dynamic broker configs. */
  String BROKERS = "brokers";

  /** Entity type of client quotas. */
  String CLIENT_QUOTAS = "client-quotas";

  /** Entity type of client-metrics subscriptions (KIP-714), by subscription name. */
  String CLIENT_METRICS = "client-metrics";

  /** Name of the cluster-wide default broker entity, as Kafka spells it. */
  String DEFAULT = "<default>";

  /** The overrides of one entity; empty if it has none. */
  Map<String, String> entityConfigs(String type, String name);

  /** Replaces the overrides of one entity; an empty map removes the entity. */
  void setEntityConfigs(String type, String name, Map<String, String> configs);

  /** Every entity of {@code type} with its overrides. */
  Map<String, Map<String, String>> allEntityConfigs(String type);

  /**
   * Calls {@code listener} with every entity of {@code type} now and after each change, one call at
   * a time, until the store closes.
   */
  void watchEntityConfigs(String type, Consumer<Map<String, Map<String, String>>> listener);
}
