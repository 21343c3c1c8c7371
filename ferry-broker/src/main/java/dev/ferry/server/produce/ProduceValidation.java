package dev.ferry.server.produce;

import dev.ferry.metadata.TopicMetadata;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The validators of produced records, installed once a broker extension that provides one has
 * started (after the listeners are bound, so the slot is filled late and read on network threads).
 * Topics whose configs name no validation never reach a validator: their cost is one read of an
 * empty config map.
 */
public final class ProduceValidation {

  /** Topic configs that some validator owns; a topic with one of them set is checked. */
  public static final String VALUE_SCHEMA_VALIDATION = "confluent.value.schema.validation";

  public static final String KEY_SCHEMA_VALIDATION = "confluent.key.schema.validation";

  private volatile RecordValidator validator;

  public void install(RecordValidator v) {
    this.validator = v;
  }

  /**
   * @return null to append, or why the records are refused (INVALID_RECORD)
   */
  String check(TopicMetadata topic, MemoryRecords records) {
    if (topic.configs().isEmpty()) {
      return null;
    }
    RecordValidator v = validator;
    if (v != null) {
      return v.appliesTo(topic) ? v.check(topic, records) : null;
    }
    // Asked for but nobody here can check it: refuse rather than let unchecked records in.
    if (isTrue(topic, VALUE_SCHEMA_VALIDATION) || isTrue(topic, KEY_SCHEMA_VALIDATION)) {
      return "Topic "
          + topic.name()
          + " requires schema validation, but this broker runs no schema registry"
          + " (schema.registry.port) or it has not started yet";
    }
    return null;
  }

  private static boolean isTrue(TopicMetadata topic, String config) {
    return "true".equalsIgnoreCase(topic.configs().get(config));
  }
}
