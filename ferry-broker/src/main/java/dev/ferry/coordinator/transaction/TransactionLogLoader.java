package dev.ferry.coordinator.transaction;

import dev.ferry.coordinator.group.CoordinatorLog;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays one {@code __transaction_state} partition: the last value per transactional id wins, a
 * tombstone removes the id.
 */
final class TransactionLogLoader {

  private static final Logger log = LoggerFactory.getLogger(TransactionLogLoader.class);

  private TransactionLogLoader() {}

  static Map<String, TransactionRecord> load(
      CoordinatorLog source, int readBytes, BooleanSupplier cancelled) {
    Map<String, TransactionRecord> states = new HashMap<>();
    long end = source.logEndOffset();
    long offset = source.logStartOffset();
    while (offset < end && !cancelled.getAsBoolean()) {
      Records records = source.read(offset, readBytes);
      long before = offset;
      for (RecordBatch batch : records.batches()) {
        if (batch.lastOffset() < offset) {
          continue;
        }
        if (!batch.isControlBatch()) {
          for (Record r : batch) {
            if (r.offset() >= offset && r.offset() < end) {
              apply(states, r);
            }
          }
        }
        offset = batch.nextOffset();
      }
      if (offset == before) {
        log.warn("Stopped loading {} at offset {} of {}: no batch there", source, offset, end);
        break;
      }
    }
    return states;
  }

  private static void apply(Map<String, TransactionRecord> states, Record r) {
    if (!r.hasKey()) {
      log.warn("Skipping transaction record without key at offset {}", r.offset());
      return;
    }
    try {
      String id = TransactionLogRecords.parseKey(r.key());
      if (!r.hasValue()) {
        states.remove(id);
      } else {
        states.put(id, TransactionLogRecords.parseValue(r.value()));
      }
    } catch (TransactionLogRecords.MalformedRecordException e) {
      log.warn(
          "Skipping malformed transaction record at offset {}: {}", r.offset(), e.getMessage());
    }
  }
}
