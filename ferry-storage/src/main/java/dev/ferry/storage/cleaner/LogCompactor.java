package dev.ferry.storage.cleaner;

import dev.ferry.storage.LogConfig;
import dev.ferry.storage.index.OffsetIndex;
import dev.ferry.storage.index.TimeIndex;
import dev.ferry.storage.segment.BatchHeader;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.txn.AbortedTxn;
import dev.ferry.storage.txn.CleanerTransactions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compaction pass over one log: afterwards every key below the pass's end offset has only its
 * latest record left (Kafka's log cleaner).
 *
 * <ol>
 *   <li>The dirty part — from the first dirty offset to the end of the cleanable range — is read
 *       record by record into an {@link OffsetMap} (key → latest offset). If the map fills, the
 *       pass ends at the batch where it did.
 *   <li>Every cleanable segment from the log start to that end is rewritten, in groups of
 *       consecutive segments that fit one segment, keeping a record only if it is the latest of its
 *       key (or beyond the map). Records without a key go. Tombstones stay until their batch's
 *       delete horizon (set the first time the batch is rewritten, to now + {@code
 *       delete.retention.ms}) has passed, so consumers that read to the end within that time see
 *       the delete.
 *   <li>Batches keep their offsets, leader epoch and producer fields; a batch whose records all go
 *       is dropped, except a producer's latest batch and each group's last batch, which stay
 *       (empty) so that producer state and the swap's crash recovery still find them.
 *   <li>Each cleaned group replaces its segments atomically ({@link CleanableLog#replaceSegments}).
 * </ol>
 *
 * <p>Only committed data (below the high watermark) in non-active segments is touched, so a pass
 * never races appends, and replicas clean independently, as in Kafka. Not thread-safe: one cleaner
 * thread owns an instance and its buffers.
 */
final class LogCompactor {

  private static final Logger log = LoggerFactory.getLogger(LogCompactor.class);

  /**
   * What a pass did.
   *
   * @param endOffset everything below it is now deduplicated (the next pass's first dirty offset)
   */
  record Stats(
      TopicPartition topicPartition,
      long firstDirtyOffset,
      long endOffset,
      int segmentsBefore,
      int segmentsAfter,
      long bytesBefore,
      long bytesAfter,
      long recordsRead,
      long recordsRetained,
      int keys,
      long durationMs) {

    @Override
    public String toString() {
      return String.format(
          "Cleaned %s up to offset %d (dirty from %d): %d segment(s) -> %d, %,d -> %,d bytes,"
              + " %,d of %,d records kept, %,d keys, %d ms",
          topicPartition,
          endOffset,
          firstDirtyOffset,
          segmentsBefore,
          segmentsAfter,
          bytesBefore,
          bytesAfter,
          recordsRetained,
          recordsRead,
          keys,
          durationMs);
    }
  }

  private final long maxMapEntries;
  private final Time time;
  private final BufferSupplier decompression = BufferSupplier.create();
  private ByteBuffer readBuffer;
  private ByteBuffer writeBuffer;

  /**
   * @param dedupeBufferBytes memory for the key map ({@code log.cleaner.dedupe.buffer.size}); the
   *     map of a pass is sized for the dirty records it will see, up to this
   * @param ioBufferBytes read and write buffer size ({@code log.cleaner.io.buffer.size}); grown for
   *     a batch that does not fit
   */
  LogCompactor(long dedupeBufferBytes, int ioBufferBytes, Time time) {
    this.maxMapEntries =
        Math.max(
            1, (long) (dedupeBufferBytes / OffsetMap.BYTES_PER_SLOT * OffsetMap.MAX_LOAD_FACTOR));
    this.time = time;
    this.readBuffer = ByteBuffer.allocate(ioBufferBytes);
    this.writeBuffer = ByteBuffer.allocate(ioBufferBytes);
  }

  /**
   * Cleans {@code range} of {@code partitionLog}; null if nothing could be done.
   *
   * @param stopping checked between buffers: true abandons the pass
   * @throws InterruptedIOException when abandoned (the partial output is deleted)
   */
  Stats clean(CleanableLog partitionLog, CleanableRange range, BooleanSupplier stopping)
      throws IOException {
    long startNanos = System.nanoTime();
    long now = time.milliseconds();
    LogConfig config = partitionLog.config();
    long firstDirty = range.firstDirtyOffset();
    long dirtyRecords = countDirtyRecords(range);
    OffsetMap map = new OffsetMap(OffsetMap.capacityFor(Math.min(dirtyRecords, maxMapEntries)));
    CleanerTransactions txns =
        new CleanerTransactions(
            partitionLog.abortedTransactions(
                partitionLog.logStartOffset(), range.firstUncleanableOffset()));
    long end = buildMap(map, range, txns);
    if (end <= firstDirty) {
      log.warn(
          "Cannot clean {}: the batch at offset {} has more records than the key map holds ({});"
              + " raise log.cleaner.dedupe.buffer.size",
          range.topicPartition(),
          firstDirty,
          map.maxEntries());
      return null;
    }
    List<LogSegment> toClean = new ArrayList<>();
    for (LogSegment s : range.segments()) {
      if (s.baseOffset() < end) {
        toClean.add(s);
      }
    }
    Set<Long> keep = partitionLog.producerLastBatchOffsets();
    Counts counts = new Counts();
    int groupsWritten = 0;
    long bytesBefore = 0;
    long bytesAfter = 0;
    for (List<LogSegment> group : groups(toClean, config)) {
      for (LogSegment s : group) {
        bytesBefore += s.sizeInBytes();
      }
      LogSegment cleaned =
          cleanGroup(partitionLog, group, map, end, keep, txns, now, counts, stopping);
      if (!partitionLog.replaceSegments(group, cleaned)) {
        log.info("Cleaning of {} abandoned: the log changed meanwhile", range.topicPartition());
        return null;
      }
      bytesAfter += cleaned.sizeInBytes();
      groupsWritten++;
    }
    partitionLog.setFirstDirtyOffset(end);
    return new Stats(
        range.topicPartition(),
        firstDirty,
        end,
        toClean.size(),
        groupsWritten,
        bytesBefore,
        bytesAfter,
        counts.read,
        counts.retained,
        map.size(),
        (System.nanoTime() - startNanos) / 1_000_000);
  }

  /** Records in the dirty part, from the batch headers: what the key map is sized for. */
  private static long countDirtyRecords(CleanableRange range) throws IOException {
    long[] count = {0};
    for (LogSegment s : dirtySegments(range)) {
      s.forEachBatchHeader(
          range.firstDirtyOffset(),
          (h, at, pos, size) -> {
            long base = BatchHeader.baseOffset(h, at);
            if (base >= range.firstDirtyOffset() && base < range.firstUncleanableOffset()) {
              count[0] += BatchHeader.recordsCount(h, at);
            }
          });
    }
    return count[0];
  }

  private static List<LogSegment> dirtySegments(CleanableRange range) {
    List<LogSegment> out = new ArrayList<>();
    List<LogSegment> all = range.segments();
    for (int i = 0; i < all.size(); i++) {
      long nextBase =
          i + 1 < all.size() ? all.get(i + 1).baseOffset() : range.firstUncleanableOffset();
      if (nextBase > range.firstDirtyOffset()) {
        out.add(all.get(i));
      }
    }
    return out;
  }

  /**
   * Puts every keyed record of the dirty part into {@code map}; returns the offset the pass
   * reaches: the end of the cleanable range, or the first batch the map had no room for.
   */
  private static long buildMap(OffsetMap map, CleanableRange range, CleanerTransactions txns) {
    long firstDirty = range.firstDirtyOffset();
    long uncleanable = range.firstUncleanableOffset();
    for (LogSegment s : dirtySegments(range)) {
      for (FileChannelRecordBatch b : s.fileRecords().batches()) {
        if (b.baseOffset() >= uncleanable) {
          return uncleanable;
        }
        if (b.lastOffset() < firstDirty || b.isControlBatch() || txns.isAborted(b)) {
          continue; // markers have no key to keep; aborted records are dropped, not deduplicated
        }
        Integer count = b.countOrNull();
        if (count != null && map.size() + (long) count > map.maxEntries()) {
          return b.baseOffset();
        }
        for (Record r : b) {
          if (r.offset() >= firstDirty && r.hasKey()) {
            map.put(r.key(), r.offset());
          }
        }
      }
    }
    return uncleanable;
  }

  /**
   * Consecutive segments that can become one: their bytes fit {@code segment.bytes}, their index
   * entries fit {@code segment.index.bytes}, and their offsets stay within an index's reach of the
   * first base offset.
   */
  static List<List<LogSegment>> groups(List<LogSegment> segments, LogConfig config) {
    List<List<LogSegment>> groups = new ArrayList<>();
    List<LogSegment> current = new ArrayList<>();
    long bytes = 0;
    long offsetEntries = 0;
    long timeEntries = 0;
    for (LogSegment s : segments) {
      long lastOffset = Math.max(s.baseOffset(), s.nextOffset() - 1);
      boolean fits =
          current.isEmpty()
              || (bytes + s.sizeInBytes() <= config.segmentBytes()
                  && (offsetEntries + s.offsetIndex().entries() + 1) * OffsetIndex.ENTRY_SIZE
                      <= config.segmentIndexBytes()
                  && (timeEntries + s.timeIndex().entries() + 1) * TimeIndex.ENTRY_SIZE
                      <= config.segmentIndexBytes()
                  && lastOffset - current.get(0).baseOffset() <= Integer.MAX_VALUE);
      if (!fits) {
        groups.add(current);
        current = new ArrayList<>();
        bytes = 0;
        offsetEntries = 0;
        timeEntries = 0;
      }
      current.add(s);
      bytes += s.sizeInBytes();
      offsetEntries += s.offsetIndex().entries();
      timeEntries += s.timeIndex().entries();
    }
    if (!current.isEmpty()) {
      groups.add(current);
    }
    return groups;
  }

  private static final class Counts {
    long read;
    long retained;
  }

  /** Writes the retained batches of {@code group} into a new segment under the cleaned suffix. */
  private LogSegment cleanGroup(
      CleanableLog partitionLog,
      List<LogSegment> group,
      OffsetMap map,
      long end,
      Set<Long> producerLastBatches,
      CleanerTransactions txns,
      long now,
      Counts counts,
      BooleanSupplier stopping)
      throws IOException {
    LogConfig config = partitionLog.config();
    Set<Long> keep = new HashSet<>(producerLastBatches);
    long groupLast = -1;
    for (LogSegment s : group) {
      if (s.sizeInBytes() > 0) {
        groupLast = Math.max(groupLast, s.nextOffset() - 1);
      }
    }
    keep.add(groupLast);
    CompactionFilter filter =
        new CompactionFilter(now, config.deleteRetentionMs(), map, end, keep, txns);
    LogSegment cleaned =
        LogSegment.create(
            partitionLog.dir(),
            group.get(0).baseOffset(),
            config.segmentIndexBytes(),
            LogSegment.CLEANED_SUFFIX);
    try {
      for (LogSegment s : group) {
        copy(s, cleaned, filter, config, now, counts, stopping);
        // Aborts whose markers stay keep their index entries (a removed marker's data went first).
        for (AbortedTxn t : s.txnIndex().entries()) {
          cleaned.txnIndex().append(t);
        }
      }
      cleaned.onRoll();
      cleaned.flush();
      return cleaned;
    } catch (IOException | RuntimeException e) {
      cleaned.closeAndDelete();
      throw e;
    }
  }

  /** Filters one segment's batches into {@code cleaned}, a read buffer at a time. */
  private void copy(
      LogSegment source,
      LogSegment cleaned,
      CompactionFilter filter,
      LogConfig config,
      long now,
      Counts counts,
      BooleanSupplier stopping)
      throws IOException {
    int size = source.sizeInBytes();
    int position = 0;
    while (position < size) {
      if (stopping.getAsBoolean()) {
        throw new InterruptedIOException("the log cleaner is stopping");
      }
      readBuffer.clear();
      readBuffer.limit(Math.min(readBuffer.capacity(), size - position));
      source.fileRecords().readInto(readBuffer, position);
      MemoryRecords chunk = MemoryRecords.readableRecords(readBuffer);
      writeBuffer.clear();
      MemoryRecords.FilterResult result =
          chunk.filterTo(filter, writeBuffer, decompression, config.maxMessageBytes());
      if (result.bytesRead() == 0) {
        // The next batch is larger than the read buffer: grow it to fit and read again.
        int need = BatchHeader.sizeInBytes(readBuffer, 0);
        if (need <= readBuffer.capacity() || need > size - position) {
          throw new IOException(
              "Cannot read the batch at position " + position + " of " + source + " for cleaning");
        }
        readBuffer = ByteBuffer.allocate(need);
        continue;
      }
      position += result.bytesRead();
      counts.read += result.messagesRead();
      counts.retained += result.messagesRetained();
      ByteBuffer out = result.outputBuffer();
      writeBuffer = out;
      out.flip();
      if (out.hasRemaining()) {
        MemoryRecords kept = MemoryRecords.readableRecords(out);
        List<MutableRecordBatch> batches = new ArrayList<>();
        kept.batches().forEach(batches::add);
        cleaned.append(kept, batches, config.indexIntervalBytes(), now);
      }
    }
  }

  /**
   * Kafka's retention rules for one pass, applied by the codec's {@code MemoryRecords.filterTo}
   * (which also stamps delete horizons and keeps batch offsets and producer fields).
   */
  private static final class CompactionFilter extends MemoryRecords.RecordFilter {

    private final OffsetMap map;
    private final long mapEnd;
    private final Set<Long> keepBatches;
    private final CleanerTransactions txns;
    private boolean discardBatch;

    CompactionFilter(
        long now,
        long deleteRetentionMs,
        OffsetMap map,
        long mapEnd,
        Set<Long> keepBatches,
        CleanerTransactions txns) {
      super(now, deleteRetentionMs);
      this.map = map;
      this.mapEnd = mapEnd;
      this.keepBatches = keepBatches;
      this.txns = txns;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
      boolean keepEmpty = keepBatches.contains(batch.lastOffset());
      if (batch.isControlBatch()) {
        // A marker whose transaction has no data left is stamped with a delete horizon on the
        // first pass and removed by the first pass after it.
        boolean empty = batch.hasProducerId() && txns.markerOfEmptyTransaction(batch);
        OptionalLong horizon = batch.deleteHorizonMs();
        discardBatch = empty && horizon.isPresent() && currentTime >= horizon.getAsLong();
        BatchRetention retention =
            keepEmpty
                ? BatchRetention.RETAIN_EMPTY
                : discardBatch ? BatchRetention.DELETE : BatchRetention.DELETE_EMPTY;
        return new BatchRetentionResult(retention, empty);
      }
      discardBatch = txns.isAborted(batch);
      BatchRetention retention =
          keepEmpty
              ? BatchRetention.RETAIN_EMPTY
              : discardBatch ? BatchRetention.DELETE : BatchRetention.DELETE_EMPTY;
      return new BatchRetentionResult(retention, false);
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
      if (discardBatch) {
        return false;
      }
      if (batch.isControlBatch()) {
        return true;
      }
      boolean retain = retainData(batch, record);
      if (retain) {
        txns.retained(batch);
      }
      return retain;
    }

    private boolean retainData(RecordBatch batch, Record record) {
      if (record.offset() >= mapEnd) {
        return true; // beyond what this pass deduplicates
      }
      if (!record.hasKey()) {
        return false;
      }
      if (map.get(record.key()) > record.offset()) {
        return false; // a later record has the same key
      }
      if (!record.hasValue()) {
        OptionalLong horizon = batch.deleteHorizonMs();
        return horizon.isEmpty() || currentTime < horizon.getAsLong();
      }
      return true;
    }
  }
}
