package dev.ferry.storage.cleaner;

import dev.ferry.storage.segment.LogSegment;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * The part of a log the cleaner may rewrite now, as {@link CleanableLog#cleanableRange} found it.
 *
 * @param firstDirtyOffset everything below was deduplicated by an earlier pass
 * @param firstUncleanableOffset base of the first segment the cleaner must not touch (the active
 *     one, one not wholly replicated, or one younger than min.compaction.lag.ms)
 * @param segments every segment below {@code firstUncleanableOffset}, oldest first
 * @param cleanBytes bytes of the segments wholly below {@code firstDirtyOffset}
 * @param dirtyBytes bytes of the other cleanable segments
 * @param lagExceeded a dirty record is older than max.compaction.lag.ms: clean whatever the ratio
 */
public record CleanableRange(
    TopicPartition topicPartition,
    long firstDirtyOffset,
    long firstUncleanableOffset,
    List<LogSegment> segments,
    long cleanBytes,
    long dirtyBytes,
    boolean lagExceeded) {

  /** Dirty bytes over all cleanable bytes (what min.cleanable.dirty.ratio is compared with). */
  double dirtyRatio() {
    long total = cleanBytes + dirtyBytes;
    return total == 0 ? 0 : (double) dirtyBytes / total;
  }

  /** Whether a pass is due under {@code minCleanableDirtyRatio}. */
  boolean needsCleaning(double minCleanableDirtyRatio) {
    return dirtyBytes > 0 && (lagExceeded || dirtyRatio() >= minCleanableDirtyRatio);
  }
}
