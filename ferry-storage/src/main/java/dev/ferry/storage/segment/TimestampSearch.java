package dev.ferry.storage.segment;

import dev.ferry.storage.TimestampOffset;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ListOffsets by timestamp over a log's segments: the time indexes narrow the search to a batch,
 * then the one batch found is read record by record. Lock-free, like every read.
 */
public final class TimestampSearch {

  private static final Logger log = LoggerFactory.getLogger(TimestampSearch.class);

  private TimestampSearch() {}

  /**
   * The earliest offset at or after {@code logStart} whose record timestamp is at least {@code
   * timestamp}, with that record's timestamp; null if no record is that new.
   */
  public static TimestampOffset offsetForTimestamp(
      LogSegments segments, long timestamp, long logStart) throws IOException {
    for (LogSegment s : segments.all()) {
      if (s.maxTimestamp() < timestamp || s.nextOffset() <= logStart) {
        continue;
      }
      long from = Math.max(s.timeIndex().lookup(timestamp), logStart);
      int end = s.sizeInBytes();
      BatchHeaderReader reader = s.headerReader(end);
      int pos = s.findBatch(reader, from, 0, end);
      ByteBuffer h = reader.buffer();
      while (pos >= 0 && pos < end) {
        int at = reader.header(pos, end);
        int size = s.checkedSize(h, at, pos, end);
        if (BatchHeader.maxTimestamp(h, at) >= timestamp) {
          return firstRecordAtOrAfter(s, pos, timestamp, logStart);
        }
        pos += size;
      }
    }
    return null;
  }

  private static TimestampOffset firstRecordAtOrAfter(
      LogSegment s, int position, long timestamp, long minOffset) throws IOException {
    FileChannelRecordBatch batch = s.fileRecords().batchesFrom(position).iterator().next();
    try {
      for (Record r : batch) {
        if (r.offset() >= minOffset && r.timestamp() >= timestamp) {
          return new TimestampOffset(r.timestamp(), r.offset());
        }
      }
    } catch (RuntimeException | LinkageError e) {
      // A codec missing from the class path: answer with the batch's first offset, which is at
      // or before the exact record (clients then skip forward by timestamp themselves).
      log.debug("Cannot read records of batch at {} in {}: {}", position, s, e.toString());
    }
    return new TimestampOffset(batch.maxTimestamp(), Math.max(batch.baseOffset(), minOffset));
  }

  /** The offset and timestamp of the record with the largest timestamp (ListOffsets -3). */
  public static TimestampOffset maxTimestamp(LogSegments segments) throws IOException {
    LogSegment best = null;
    for (LogSegment s : segments.all()) {
      if (s.sizeInBytes() > 0
          && s.maxTimestamp() >= 0
          && (best == null || s.maxTimestamp() >= best.maxTimestamp())) {
        best = s;
      }
    }
    if (best == null) {
      return new TimestampOffset(RecordBatch.NO_TIMESTAMP, -1);
    }
    long ts = best.maxTimestamp();
    int end = best.sizeInBytes();
    int pos = best.findBatch(best.headerReader(end), best.offsetOfMaxTimestamp(), 0, end);
    if (pos < 0) {
      return new TimestampOffset(ts, best.offsetOfMaxTimestamp());
    }
    FileChannelRecordBatch batch = best.fileRecords().batchesFrom(pos).iterator().next();
    try {
      for (Record r : batch) {
        if (r.timestamp() == ts) {
          return new TimestampOffset(ts, r.offset());
        }
      }
    } catch (RuntimeException | LinkageError e) {
      log.debug("Cannot read records of batch at {} in {}: {}", pos, best, e.toString());
    }
    return new TimestampOffset(ts, batch.lastOffset());
  }
}
