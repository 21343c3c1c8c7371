package dev.ferry.storage.segment;

import dev.ferry.storage.LogConfig;
import dev.ferry.storage.index.AbstractIndex;
import dev.ferry.storage.index.CorruptIndexException;
import dev.ferry.storage.index.OffsetIndex;
import dev.ferry.storage.index.TimeIndex;
import dev.ferry.storage.txn.TransactionIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a partition log: the {@code .log} file of record batches plus its offset and time
 * indexes, all named by the segment's base offset.
 *
 * <p>Writes (append, truncate, roll, recover) come from the owning log under its lock. Reads run on
 * any thread without locks: they see the file up to {@link #committedSize}, a volatile that is
 * published only after the bytes are written, so they never observe a partial batch.
 */
public final class LogSegment {

  private static final Logger log = LoggerFactory.getLogger(LogSegment.class);

  public static final String LOG_SUFFIX = ".log";
  public static final String INDEX_SUFFIX = ".index";
  public static final String TIME_INDEX_SUFFIX = ".timeindex";
  public static final String DELETED_SUFFIX = ".deleted";

  /** Files of a segment the log cleaner is still writing; deleted at start-up. */
  public static final String CLEANED_SUFFIX = ".cleaned";

  /**
   * Files of a finished cleaned segment about to replace the segments it was made from; a start-up
   * that finds one completes the replacement.
   */
  public static final String SWAP_SUFFIX = ".swap";

  private final long baseOffset;
  private final FileRecords records;
  private OffsetIndex offsetIndex;
  private TimeIndex timeIndex;
  private TransactionIndex txnIndex;

  private volatile int committedSize;
  private volatile long nextOffset;
  private volatile long maxTimestamp = RecordBatch.NO_TIMESTAMP;
  private volatile long offsetOfMaxTimestamp;
  private volatile long rollStartMs = -1;
  private int bytesSinceLastIndexEntry;

  private final BatchShape shape = new BatchShape();
  private BatchLocator locator;

  private LogSegment(
      long baseOffset, FileRecords records, OffsetIndex offsetIndex, TimeIndex timeIndex) {
    this.baseOffset = baseOffset;
    this.records = records;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.committedSize = records.sizeInBytes();
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestamp = baseOffset;
    if (offsetIndex != null) {
      this.locator = new BatchLocator(records, offsetIndex, shape);
    }
  }

  /** Creates an empty active segment (fails if its log file already exists). */
  public static LogSegment create(Path dir, long baseOffset, int maxIndexSize) throws IOException {
    return create(dir, baseOffset, maxIndexSize, "");
  }

  /**
   * Creates an empty segment whose three files carry {@code suffix} after their usual names (e.g.
   * {@code 00000000000000000042.log.cleaned}); fails if its log file already exists.
   */
  public static LogSegment create(Path dir, long baseOffset, int maxIndexSize, String suffix)
      throws IOException {
    Path logFile = SegmentFiles.withSuffix(SegmentFiles.logFile(dir, baseOffset), suffix);
    Path indexFile = SegmentFiles.withSuffix(SegmentFiles.indexFile(dir, baseOffset), suffix);
    Path timeIndexFile =
        SegmentFiles.withSuffix(SegmentFiles.timeIndexFile(dir, baseOffset), suffix);
    if (!suffix.isEmpty()) {
      Files.deleteIfExists(logFile); // a leftover of an abandoned attempt
    }
    Path txnIndexFile = SegmentFiles.withSuffix(SegmentFiles.txnIndexFile(dir, baseOffset), suffix);
    Files.deleteIfExists(indexFile);
    Files.deleteIfExists(timeIndexFile);
    Files.deleteIfExists(txnIndexFile);
    FileRecords recs = FileRecords.open(logFile.toFile(), true, false, 0, false);
    try {
      LogSegment segment =
          new LogSegment(
              baseOffset,
              recs,
              new OffsetIndex(indexFile, baseOffset, maxIndexSize, true),
              new TimeIndex(timeIndexFile, baseOffset, maxIndexSize, true));
      segment.txnIndex = new TransactionIndex(txnIndexFile);
      return segment;
    } catch (IOException | RuntimeException e) {
      recs.close();
      throw e;
    }
  }

  /**
   * Renames the three files from {@code from} to {@code to} (suffixes after the usual names, "" for
   * none); open handles stay valid. The caller syncs the directory.
   */
  public void changeFileSuffixes(String from, String to) throws IOException {
    records.renameTo(SegmentFiles.renamed(records.file().toPath(), from, to).toFile());
    offsetIndex.renameTo(SegmentFiles.renamed(offsetIndex.file(), from, to));
    timeIndex.renameTo(SegmentFiles.renamed(timeIndex.file(), from, to));
    txnIndex.renameTo(SegmentFiles.renamed(txnIndex.file(), from, to));
  }

  /**
   * Opens an existing segment. Missing or malformed index files are recreated empty and {@code
   * indexesLost} is reported through {@link #load}'s return value.
   */
  public static LogSegment open(Path dir, long baseOffset, int maxIndexSize, boolean active)
      throws IOException {
    FileRecords recs =
        FileRecords.open(SegmentFiles.logFile(dir, baseOffset).toFile(), true, true, 0, false);
    LogSegment segment = new LogSegment(baseOffset, recs, null, null);
    segment.indexesIntact = true;
    try {
      segment.offsetIndex =
          openIndex(
              SegmentFiles.indexFile(dir, baseOffset),
              p -> new OffsetIndex(p, baseOffset, maxIndexSize, active),
              segment);
      segment.timeIndex =
          openIndex(
              SegmentFiles.timeIndexFile(dir, baseOffset),
              p -> new TimeIndex(p, baseOffset, maxIndexSize, active),
              segment);
      segment.txnIndex = TransactionIndex.open(SegmentFiles.txnIndexFile(dir, baseOffset));
      segment.locator = new BatchLocator(recs, segment.offsetIndex, segment.shape);
    } catch (IOException | RuntimeException e) {
      segment.closeQuietly();
      throw e;
    }
    return segment;
  }

  private interface IndexOpener<T extends AbstractIndex> {
    public T open(Path file) throws IOException;
  }

  private boolean indexesIntact;

  private static <T extends AbstractIndex> T openIndex(
      Path file, IndexOpener<T> opener, LogSegment segment) throws IOException {
    if (!Files.exists(file)) {
      log.warn("Index file {} is missing; it will be rebuilt from the log", file);
      segment.indexesIntact = false;
      return opener.open(file);
    }
    try {
      return opener.open(file);
    } catch (CorruptIndexException e) {
      log.warn("Corrupt index, will rebuild it: {}", e.getMessage());
      Files.deleteIfExists(file);
      segment.indexesIntact = false;
      return opener.open(file);
    }
  }

  /**
   * Brings the in-memory state (next offset, max timestamp) up to date with the files after a clean
   * stop, trusting the indexes and reading only the headers after the last index entry. Returns
   * false when the indexes or the tail are inconsistent and {@link #recover} is needed.
   */
  public boolean loadClean() throws IOException {
    if (!indexesIntact) {
      return false;
    }
    int size = records.sizeInBytes();
    try {
      offsetIndex.sanityCheck(size, Long.MAX_VALUE);
      timeIndex.sanityCheck(size, Long.MAX_VALUE);
    } catch (CorruptIndexException e) {
      log.warn("Index inconsistent, will rebuild it: {}", e.getMessage());
      return false;
    }
    int from = offsetIndex.lastPosition();
    long expected = offsetIndex.entries() == 0 ? baseOffset : offsetIndex.lastOffset();
    long maxTs = timeIndex.lastTimestamp();
    long maxTsOffset = timeIndex.lastOffset();
    long[] tail = {maxTs, maxTsOffset};
    SegmentScanner.Result r =
        SegmentScanner.scanHeaders(
            records.channel(),
            from,
            size,
            expected,
            (h, at, pos, sz) -> {
              long ts = BatchHeader.maxTimestamp(h, at);
              if (ts > tail[0]) {
                tail[0] = ts;
                tail[1] = BatchHeader.baseOffset(h, at);
              }
              shape.sample(sz, BatchHeader.lastOffsetDelta(h, at) + 1L);
            });
    shape.publish();
    if (r.problem() != null) {
      log.warn(
          "Segment {} is inconsistent at position {} ({}) despite a clean shutdown; recovering it",
          records.file(),
          r.validEnd(),
          r.problem());
      return false;
    }
    if (timeIndex.entries() > 0 && timeIndex.lastOffset() >= r.nextOffset()) {
      log.warn(
          "Time index {} points at offset {} past the segment end {}; rebuilding",
          timeIndex.file(),
          timeIndex.lastOffset(),
          r.nextOffset());
      return false;
    }
    committedSize = size;
    nextOffset = r.nextOffset();
    maxTimestamp = tail[0];
    offsetOfMaxTimestamp = tail[1];
    bytesSinceLastIndexEntry = size - from;
    initRollStart();
    return true;
  }

  /**
   * Verifies every batch (header sanity and CRC32C), truncates the file at the first invalid one
   * and rebuilds both indexes. Returns the number of bytes cut off.
   */
  public int recover(int indexIntervalBytes, int maxIndexSize, long[] scannedBatches)
      throws IOException {
    int size = records.sizeInBytes();
    offsetIndex.reset();
    timeIndex.reset();
    offsetIndex.resize(maxIndexSize);
    timeIndex.resize(maxIndexSize);
    maxTimestamp = RecordBatch.NO_TIMESTAMP;
    offsetOfMaxTimestamp = baseOffset;
    bytesSinceLastIndexEntry = 0;
    SegmentScanner.Result r =
        SegmentScanner.scanVerified(
            records.channel(),
            0,
            size,
            baseOffset,
            (h, at, pos, sz) -> indexBatch(h, at, pos, sz, indexIntervalBytes));
    scannedBatches[0] += r.batches();
    shape.publish();
    int truncated = 0;
    if (r.problem() != null) {
      truncated = size - r.validEnd();
      log.warn(
          "Truncating {} at position {} ({} bytes dropped): {}",
          records.file(),
          r.validEnd(),
          truncated,
          r.problem());
      records.truncateTo(r.validEnd());
    }
    committedSize = r.validEnd();
    nextOffset = r.nextOffset();
    initRollStart();
    return truncated;
  }

  /** Index bookkeeping for one batch during recovery (same rules as for appends). */
  private void indexBatch(ByteBuffer h, int at, int position, int size, int indexIntervalBytes)
      throws IOException {
    long ts = BatchHeader.maxTimestamp(h, at);
    long base = BatchHeader.baseOffset(h, at);
    if (ts > maxTimestamp) {
      maxTimestamp = ts;
      offsetOfMaxTimestamp = base;
    }
    if (bytesSinceLastIndexEntry > indexIntervalBytes) {
      offsetIndex.append(base, position);
      timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp, false);
      bytesSinceLastIndexEntry = 0;
    }
    bytesSinceLastIndexEntry += size;
    shape.sample(size, BatchHeader.lastOffsetDelta(h, at) + 1L);
  }

  private void initRollStart() throws IOException {
    if (committedSize == 0) {
      rollStartMs = -1;
      return;
    }
    // The first append's wall-clock time is not stored; like Kafka, use the first batch's
    // timestamp, capped by the file's mtime so a future timestamp cannot block time-based rolls.
    long firstTs = BatchHeader.maxTimestamp(BatchHeader.read(records.channel(), 0), 0);
    long mtime = records.file().lastModified();
    rollStartMs = firstTs >= 0 ? Math.min(firstTs, mtime) : mtime;
  }

  /**
   * Writes {@code memory} (offsets already assigned) at the end of the file, then publishes the new
   * end and adds index entries.
   */
  public void append(
      MemoryRecords memory, List<MutableRecordBatch> batches, int indexIntervalBytes, long nowMs)
      throws IOException {
    int start = committedSize;
    records.append(memory);
    long maxTs = maxTimestamp;
    long maxTsOffset = offsetOfMaxTimestamp;
    for (MutableRecordBatch b : batches) {
      if (b.maxTimestamp() > maxTs) {
        maxTs = b.maxTimestamp();
        maxTsOffset = b.baseOffset();
      }
    }
    maxTimestamp = maxTs;
    offsetOfMaxTimestamp = maxTsOffset;
    nextOffset = batches.get(batches.size() - 1).nextOffset();
    committedSize = start + memory.sizeInBytes();
    // Index entries only after the bytes are visible, so a lock-free reader that finds an entry
    // always finds the batch it points at.
    int pos = start;
    for (MutableRecordBatch b : batches) {
      if (bytesSinceLastIndexEntry > indexIntervalBytes) {
        offsetIndex.append(b.baseOffset(), pos);
        timeIndex.maybeAppend(maxTs, maxTsOffset, false);
        bytesSinceLastIndexEntry = 0;
      }
      int size = b.sizeInBytes();
      pos += size;
      bytesSinceLastIndexEntry += size;
      shape.sample(size, b.lastOffset() - b.baseOffset() + 1);
    }
    shape.publish();
    if (rollStartMs < 0) {
      rollStartMs = nowMs;
    }
  }

  /** Cuts a failed partial write back to the last committed batch. */
  public void discardUncommitted() throws IOException {
    if (records.sizeInBytes() != committedSize || records.channel().size() != committedSize) {
      records.truncateTo(committedSize);
    }
  }

  /**
   * Position of the first batch at or after {@code from} whose last offset is at least {@code
   * offset}, or -1 when none starts before {@code end} (see {@link BatchLocator#findBatch}).
   */
  public int findBatch(BatchHeaderReader reader, long offset, int from, int end)
      throws IOException {
    return locator.findBatch(reader, offset, from, end);
  }

  /** The size of the batch whose header is at {@code at} in {@code h}, checked against the end. */
  public int checkedSize(ByteBuffer h, int at, int pos, int end) {
    return locator.checkedSize(h, at, pos, end);
  }

  /**
   * This thread's header reader over the committed part of this segment, {@code end} being the
   * committed size the caller read.
   */
  public BatchHeaderReader headerReader(int end) {
    return BatchHeaderReader.forThread(records.channel(), end);
  }

  /**
   * The fetch path: a zero-copy slice from the batch containing {@code fetchOffset}, whole batches
   * only, at most {@code maxBytes} (unless {@code minOneBatch} and the first batch is larger) and
   * never reaching the batch that contains {@code maxOffsetExclusive}. Returns null when this
   * segment holds no batch containing or following {@code fetchOffset}.
   */
  public Records read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch)
      throws IOException {
    int end = committedSize;
    return read(headerReader(end), end, fetchOffset, maxBytes, maxOffsetExclusive, minOneBatch);
  }

  /** {@link #read} with a given reader and committed size (tests vary the chunk size). */
  public Records read(
      BatchHeaderReader reader,
      int end,
      long fetchOffset,
      int maxBytes,
      long maxOffsetExclusive,
      boolean minOneBatch)
      throws IOException {
    return locator.slice(
        reader, end, nextOffset, fetchOffset, maxBytes, maxOffsetExclusive, minOneBatch);
  }

  /**
   * Drops every batch whose last offset is at least {@code offset}; the batch containing {@code
   * offset} goes entirely. Returns the number of bytes removed.
   */
  public int truncateTo(long offset) throws IOException {
    int end = committedSize;
    BatchHeaderReader reader = headerReader(end);
    int pos = findBatch(reader, offset, 0, end);
    if (pos < 0) {
      return 0;
    }
    long cutBase = BatchHeader.baseOffset(reader.buffer(), reader.header(pos, end));
    committedSize = pos;
    records.truncateTo(pos);
    offsetIndex.truncateTo(cutBase);
    timeIndex.truncateTo(cutBase);
    txnIndex.truncateTo(cutBase);
    nextOffset = cutBase;
    maxTimestamp = timeIndex.lastTimestamp();
    offsetOfMaxTimestamp = timeIndex.lastOffset();
    int from = offsetIndex.lastPosition();
    SegmentScanner.scanHeaders(
        records.channel(),
        from,
        pos,
        -1,
        (h, at, p, sz) -> {
          long ts = BatchHeader.maxTimestamp(h, at);
          if (ts > maxTimestamp) {
            maxTimestamp = ts;
            offsetOfMaxTimestamp = BatchHeader.baseOffset(h, at);
          }
        });
    bytesSinceLastIndexEntry = pos - from;
    if (pos == 0) {
      rollStartMs = -1;
    }
    return end - pos;
  }

  /** Reads one whole batch at a file position (markers during producer-state replay). */
  public ByteBuffer readBatch(int position, int size) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(size);
    while (buf.hasRemaining()) {
      if (records.channel().read(buf, position + buf.position()) < 0) {
        throw new java.io.EOFException("Batch at " + position + " of " + this + " is cut short");
      }
    }
    return buf.flip();
  }

  /** Visits the header of every batch from the one containing {@code fromOffset} to the end. */
  public void forEachBatchHeader(long fromOffset, SegmentScanner.Visitor visitor)
      throws IOException {
    int end = committedSize;
    int pos = findBatch(headerReader(end), fromOffset, 0, end);
    if (pos >= 0) {
      SegmentScanner.scanHeaders(records.channel(), pos, end, -1, visitor);
    }
  }

  /** Called when the segment stops being active: final time index entry, indexes trimmed. */
  public void onRoll() throws IOException {
    timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp, true);
    offsetIndex.trimToValidSize();
    timeIndex.trimToValidSize();
  }

  /** A rolled segment becomes active again (truncation removed the ones after it). */
  public void onReactivate(int maxIndexSize) throws IOException {
    offsetIndex.resize(maxIndexSize);
    timeIndex.resize(maxIndexSize);
  }

  public boolean shouldRoll(LogConfig config, int appendBytes, long lastOffset, long nowMs) {
    int size = committedSize;
    if (size == 0) {
      return false;
    }
    return size + (long) appendBytes > config.segmentBytes()
        || (rollStartMs >= 0 && nowMs - rollStartMs >= config.segmentMs())
        || offsetIndex.isFull()
        || timeIndex.isFull()
        || lastOffset - baseOffset > Integer.MAX_VALUE;
  }

  public void flush() throws IOException {
    records.flush();
    offsetIndex.flush();
    timeIndex.flush();
    txnIndex.flush();
  }

  /** The aborted transactions whose markers are in this segment. */
  public TransactionIndex txnIndex() {
    return txnIndex;
  }

  /**
   * Renames the files with a {@code .deleted} suffix; open handles (and fetch slices) stay valid.
   */
  public void renameToDeleted() throws IOException {
    changeFileSuffixes("", DELETED_SUFFIX);
  }

  /** Closes the handles and deletes the files (under whatever names they have now). */
  public void closeAndDelete() throws IOException {
    closeQuietly();
    Files.deleteIfExists(records.file().toPath());
    Files.deleteIfExists(offsetIndex.file());
    Files.deleteIfExists(timeIndex.file());
    txnIndex.deleteIfExists();
  }

  /** Flushes nothing: the caller flushed first if it wanted to. Trims indexes for a fast reopen. */
  public void close() throws IOException {
    try {
      timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp, true);
      offsetIndex.trimToValidSize();
      timeIndex.trimToValidSize();
    } catch (NoSuchFileException e) {
      // already renamed away for deletion; nothing to trim
    } finally {
      closeQuietly();
    }
  }

  public void closeQuietly() {
    try {
      if (offsetIndex != null) {
        offsetIndex.close();
      }
      if (timeIndex != null) {
        timeIndex.close();
      }
    } catch (IOException e) {
      log.warn("Failed to close indexes of {}", records.file(), e);
    }
    try {
      records.close();
    } catch (IOException e) {
      log.warn("Failed to close {}", records.file(), e);
    }
  }

  /** Max timestamp of the first batch (max.compaction.lag.ms counts from it), or -1 if empty. */
  public long firstBatchMaxTimestamp() throws IOException {
    if (committedSize < BatchHeader.SIZE) {
      return RecordBatch.NO_TIMESTAMP;
    }
    return BatchHeader.maxTimestamp(BatchHeader.read(records.channel(), 0), 0);
  }

  public long baseOffset() {
    return baseOffset;
  }

  public long nextOffset() {
    return nextOffset;
  }

  public int sizeInBytes() {
    return committedSize;
  }

  public long maxTimestamp() {
    return maxTimestamp;
  }

  public long offsetOfMaxTimestamp() {
    return offsetOfMaxTimestamp;
  }

  /** The newest timestamp in the segment for retention, or the file's mtime if it has none. */
  public long largestTimestamp() {
    long ts = maxTimestamp;
    return ts >= 0 ? ts : records.file().lastModified();
  }

  public FileRecords fileRecords() {
    return records;
  }

  public OffsetIndex offsetIndex() {
    return offsetIndex;
  }

  public TimeIndex timeIndex() {
    return timeIndex;
  }

  @Override
  public String toString() {
    return "LogSegment("
        + records.file()
        + ", base "
        + baseOffset
        + ", size "
        + committedSize
        + ")";
  }
}
