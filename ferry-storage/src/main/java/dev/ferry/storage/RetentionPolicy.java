package dev.ferry.storage;

import dev.ferry.storage.segment.LogSegment;
import java.util.List;

/**
 * Decides how many of the oldest segments {@code retention.ms} and {@code retention.bytes} allow to
 * delete. Only whole segments go, oldest first; deletion stops at the first segment that must be
 * kept, and at the first one holding offsets at or above the high watermark.
 */
final class RetentionPolicy {

  private RetentionPolicy() {}

  /**
   * The number of segments to delete from the head of {@code segments} (oldest first, active last).
   * The result may include the active segment only for time retention, meaning every segment is
   * expired and the high watermark is at the log end; the caller must roll first so the log keeps
   * an empty active segment.
   */
  static int deletableSegments(
      List<LogSegment> segments,
      long nowMs,
      LogConfig config,
      long logEndOffset,
      long highWatermark) {
    int byPolicy = deletableByPolicy(segments, nowMs, config);
    int n = 0;
    while (n < byPolicy) {
      long nextBase = n + 1 < segments.size() ? segments.get(n + 1).baseOffset() : logEndOffset;
      if (nextBase > highWatermark) {
        break;
      }
      n++;
    }
    return n;
  }

  private static int deletableByPolicy(List<LogSegment> segments, long nowMs, LogConfig config) {
    if (!config.delete()) {
      return 0;
    }
    int byTime = 0;
    if (config.retentionMs() >= 0) {
      for (int i = 0; i < segments.size(); i++) {
        LogSegment s = segments.get(i);
        boolean emptyActive = i == segments.size() - 1 && s.sizeInBytes() == 0;
        if (emptyActive || nowMs - s.largestTimestamp() <= config.retentionMs()) {
          break;
        }
        byTime++;
      }
    }
    int bySize = 0;
    if (config.retentionBytes() >= 0) {
      long total = 0;
      for (LogSegment s : segments) {
        total += s.sizeInBytes();
      }
      long excess = total - config.retentionBytes();
      // The active segment is never deleted for size: it holds the newest data.
      for (int i = 0; i < segments.size() - 1; i++) {
        int size = segments.get(i).sizeInBytes();
        if (excess - size < 0) {
          break;
        }
        excess -= size;
        bySize++;
      }
    }
    return Math.max(byTime, bySize);
  }
}
