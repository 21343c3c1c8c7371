package dev.ferry.storage.segment;

/**
 * Moving averages of the batches written to one segment (bytes and offsets per batch), published
 * for the fetch path to size its header reads: large batches need a few hundred bytes read at the
 * index position, small ones the stretch up to the batch wanted. Only a read-size hint: a stale or
 * racy value costs at most one more read, never a different answer.
 *
 * <p>The writer (appends, recovery; one thread at a time under the log's lock) samples and
 * publishes; readers on any thread estimate.
 */
final class BatchShape {

  /**
   * Bytes read past the estimated position of the header a walk needs, plus a quarter of the
   * estimated distance: batch sizes vary, and one read a little too long is cheaper than two.
   */
  static final int READ_SLACK = 512;

  private volatile int typicalBatchBytes;
  private volatile int typicalBatchOffsets;
  private int averageBatchBytes;
  private int averageBatchOffsets;

  /** Writer side: folds one batch into the moving averages (weight 1/8). */
  void sample(int size, long offsets) {
    int n = (int) Math.min(offsets, Integer.MAX_VALUE);
    if (averageBatchBytes == 0) {
      averageBatchBytes = size;
      averageBatchOffsets = n;
    } else {
      averageBatchBytes += (size - averageBatchBytes) >> 3;
      averageBatchOffsets += (n - averageBatchOffsets) >> 3;
    }
  }

  /** Writer side: makes the averages sampled so far visible to readers. */
  void publish() {
    // offsets first: a reader that sees a batch size also sees a non-zero offset count
    typicalBatchOffsets = Math.max(1, averageBatchOffsets);
    typicalBatchBytes = averageBatchBytes;
  }

  /**
   * Where a header walk from the batch at {@code position} probably has read every header it needs,
   * the wanted batch being {@code offsetsAhead} offsets further; unbounded when no batch has been
   * seen yet.
   */
  long readEndForOffsets(int position, long offsetsAhead) {
    int bytes = typicalBatchBytes;
    if (bytes <= 0) {
      return Long.MAX_VALUE;
    }
    long distance = Math.max(0, offsetsAhead) / Math.max(1, typicalBatchOffsets) * bytes;
    return withSlack(position, distance);
  }

  /**
   * Where a walk from {@code position} probably has read the last batch boundary at or before
   * {@code limit} (never past {@code cap}); {@code cap} when no batch has been seen yet.
   */
  long readEndForBytes(int position, long limit, long cap) {
    int bytes = typicalBatchBytes;
    if (bytes <= 0) {
      return cap;
    }
    long distance = (limit - position) / bytes * bytes;
    return Math.min(cap, withSlack(position, distance));
  }

  private static long withSlack(int position, long distance) {
    return position + distance + distance / 4 + BatchHeader.SIZE + READ_SLACK;
  }
}
