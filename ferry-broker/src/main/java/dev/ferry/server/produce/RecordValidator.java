package dev.ferry.server.produce;

import dev.ferry.metadata.TopicMetadata;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Checks the records of one produce to one partition before anything of them is appended, for
 * topics that ask for it in their configs (e.g. schema-id validation by the schema registry).
 */
public interface RecordValidator {

  /**
   * Whether {@code topic}'s configs ask this validator to look at its records; called for every
   * partition of every produce, so it must be a cheap look at the configs.
   */
  boolean appliesTo(TopicMetadata topic);

  /**
   * @return null when every record is acceptable, else why the whole batch set is refused (the
   *     produce answers INVALID_RECORD with this message and appends nothing)
   */
  String check(TopicMetadata topic, MemoryRecords records);
}
