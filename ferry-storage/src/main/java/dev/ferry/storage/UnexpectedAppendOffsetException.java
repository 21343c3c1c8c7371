package dev.ferry.storage;

import org.apache.kafka.common.InvalidRecordException;

/**
 * A follower append whose batches do not continue the log exactly: the first batch does not start
 * at the log end offset, or a batch does not start right after the previous one. The replica
 * fetcher should re-check its fetch position (the log end may have moved under it, e.g. by a
 * concurrent truncation) rather than retry blindly. A subclass of {@link InvalidRecordException},
 * so {@code Errors.forException} maps it to {@code INVALID_RECORD}.
 */
public final class UnexpectedAppendOffsetException extends InvalidRecordException {

  private static final long serialVersionUID = 1L;

  private final long expectedOffset;
  private final long actualOffset;

  public UnexpectedAppendOffsetException(String message, long expectedOffset, long actualOffset) {
    super(message);
    this.expectedOffset = expectedOffset;
    this.actualOffset = actualOffset;
  }

  /** The offset the batch had to start at (the log end offset for the first batch). */
  public long expectedOffset() {
    return expectedOffset;
  }

  /** The base offset the batch actually had. */
  public long actualOffset() {
    return actualOffset;
  }
}
