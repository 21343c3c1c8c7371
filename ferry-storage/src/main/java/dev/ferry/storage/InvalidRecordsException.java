package dev.ferry.storage;

import java.util.List;
import org.apache.kafka.common.InvalidRecordException;

/**
 * An append refused because of some of its records, naming each (KIP-467): the producer then fails
 * exactly those records with {@link InvalidRecordException} and the rest of the batch with a
 * general error, instead of failing every record alike.
 */
public final class InvalidRecordsException extends InvalidRecordException {

  /** One refused record: its index within its batch and why. */
  public record RecordError(int batchIndex, String message) {}

  private final transient List<RecordError> recordErrors;

  public InvalidRecordsException(String message, List<RecordError> recordErrors) {
    super(message);
    this.recordErrors = List.copyOf(recordErrors);
  }

  public List<RecordError> recordErrors() {
    return recordErrors;
  }
}
