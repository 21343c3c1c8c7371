package dev.ferry.storage.cleaner;

import dev.ferry.storage.LogConfig;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.txn.AbortedTxn;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What the cleaner sees of a partition log: the range it may rewrite, the producers' last batches
 * it must keep, the swap of cleaned segments and its own progress. Everything else of the log stays
 * out of its reach.
 */
public interface CleanableLog {

  TopicPartition topicPartition();

  /** The partition directory (cleaned segments are written next to the ones they replace). */
  Path dir();

  LogConfig config();

  /**
   * What the cleaner may rewrite now: every segment below the first one that is active, holds
   * offsets at or above the high watermark (not yet replicated everywhere), or is younger than
   * {@code min.compaction.lag.ms}; and how much of that is still dirty.
   *
   * @throws org.apache.kafka.common.errors.KafkaStorageException the log is closed
   */
  CleanableRange cleanableRange(long nowMs);

  /**
   * The last offset of every producer's latest batch. The cleaner keeps these batches (empty if all
   * their records go) so that the producer state rebuilt from the log still knows each active
   * producer's last sequence.
   */
  Set<Long> producerLastBatchOffsets();

  /**
   * Puts {@code cleaned} in place of {@code replaced}: consecutive, non-active segments it was
   * written from, holding the same offsets less the records compaction removed. Crash-safe: the
   * cleaned files are renamed from {@code .cleaned} to {@code .swap} (a start-up that finds a swap
   * file completes the replacement), the old segments are renamed for deletion (their files stay
   * readable for fetches in flight until {@code file.delete.delay.ms}), then the swap files get
   * their final names. Returns false, deleting {@code cleaned}, if the log changed meanwhile
   * (truncated, retention, closed): the pass is then simply lost.
   */
  boolean replaceSegments(List<LogSegment> replaced, LogSegment cleaned);

  /** Where the log starts (the cleaner reads aborted transactions from there). */
  long logStartOffset();

  /** Aborted transactions overlapping [from, upperBound): their data is removed by cleaning. */
  List<AbortedTxn> abortedTransactions(long from, long upperBound);

  /** Records a pass's end: everything below {@code offset} is deduplicated. */
  void setFirstDirtyOffset(long offset);
}
