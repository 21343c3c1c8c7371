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

  /**
   * Moving averages of the batches written (bytes and offsets per batch), published for the fetch
   * path to size its header reads: large batches need a few hundred bytes read at the index
   * position, small ones the stretch up to the batch wanted. Only a read-size hint: a stale or racy
   * value costs at most one more read, never a different answer.
   */
  private volatile int typicalBatchBytes;

  private volatile int typicalBatchOffsets;
  private int averageBatchBytes;
  private int averageBatchOffsets;

  /**
   * Bytes read past the estimated position of the header a walk needs, plus a quarter of the
   * estimated distance: batch sizes vary, and one read a little too long is cheaper than two.
   */
  private static final int READ_SLACK = 512;

  private LogSegment(
      long baseOffset, FileRecords records, OffsetIndex offsetIndex, TimeIndex timeIndex) {
    this.baseOffset = baseOffset;
    this.records = records;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.committedSize = records.sizeInBytes();
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestamp = baseOffset;
  }

  public static String fileName(long offset, String suffix) {
    return String.format("%020d%s", offset, suffix);
  }

  public static Path logFile(Path dir, long baseOffset) {
    return dir.resolve(fileName(baseOffset, LOG_SUFFIX));
  }

  public static Path indexFile(Path dir, long baseOffset) {
    return dir.resolve(fileName(baseOffset, INDEX_SUFFIX));
  }

  public static Path timeIndexFile(Path dir, long baseOffset) {
    return dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX));
  }

  static Path txnIndexFile(Path dir, long baseOffset) {
    return dir.resolve(fileName(baseOffset, TransactionIndex.SUFFIX));
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
    Path logFile = withSuffix(logFile(dir, baseOffset), suffix);
    Path indexFile = withSuffix(indexFile(dir, baseOffset), suffix);
    Path timeIndexFile = withSuffix(timeIndexFile(dir, baseOffset), suffix);
    if (!suffix.isEmpty()) {
      Files.deleteIfExists(logFile); // a leftover of an abandoned attempt
    }
    Path txnIndexFile = withSuffix(txnIndexFile(dir, baseOffset), suffix);
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

  public static Path withSuffix(Path file, String suffix) {
    return suffix.isEmpty() ? file : file.resolveSibling(file.getFileName() + suffix);
  }

  /**
   * Renames the three files from {@code from} to {@code to} (suffixes after the usual names, "" for
   * none); open handles stay valid. The caller syncs the directory.
   */
  public void changeFileSuffixes(String from, String to) throws IOException {
    records.renameTo(renamed(records.file().toPath(), from, to).toFile());
    offsetIndex.renameTo(renamed(offsetIndex.file(), from, to));
    timeIndex.renameTo(renamed(timeIndex.file(), from, to));
    txnIndex.renameTo(renamed(txnIndex.file(), from, to));
  }

  private static Path renamed(Path file, String from, String to) {
    String name = file.getFileName().toString();
    if (!name.endsWith(from)) {
      throw new IllegalStateException(file + " does not end with '" + from + "'");
    }
    return file.resolveSibling(name.substring(0, name.length() - from.length()) + to);
  }

  /**
   * Opens an existing segment. Missing or malformed index files are recreated empty and {@code
   * indexesLost} is reported through {@link #load}'s return value.
   */
  public static LogSegment open(Path dir, long baseOffset, int maxIndexSize, boolean active)
      throws IOException {
    FileRecords recs = FileRecords.open(logFile(dir, baseOffset).toFile(), true, true, 0, false);
    LogSegment segment = new LogSegment(baseOffset, recs, null, null);
    segment.indexesIntact = true;
    try {
      segment.offsetIndex =
          openIndex(
              indexFile(dir, baseOffset),
              p -> new OffsetIndex(p, baseOffset, maxIndexSize, active),
              segment);
      segment.timeIndex =
          openIndex(
              timeIndexFile(dir, baseOffset),
              p -> new TimeIndex(p, baseOffset, maxIndexSize, active),
              segment);
      segment.txnIndex = TransactionIndex.open(txnIndexFile(dir, baseOffset));
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
              sampleBatch(sz, BatchHeader.lastOffsetDelta(h, at) + 1L);
            });
    publishBatchShape();
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
    publishBatchShape();
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
  private void indexBatch(ByteBuffer h, int at, int position, int size, int indexIntervalBytes) {
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
    sampleBatch(size, BatchHeader.lastOffsetDelta(h, at) + 1L);
  }

  /** Writer side: folds one batch into the moving averages (weight 1/8). */
  private void sampleBatch(int size, long offsets) {
    int n = (int) Math.min(offsets, Integer.MAX_VALUE);
    if (averageBatchBytes == 0) {
      averageBatchBytes = size;
      averageBatchOffsets = n;
    } else {
      averageBatchBytes += (size - averageBatchBytes) >> 3;
      averageBatchOffsets += (n - averageBatchOffsets) >> 3;
    }
  }

  private void publishBatchShape() {
    // offsets first: a reader that sees a batch size also sees a non-zero offset count
    typicalBatchOffsets = Math.max(1, averageBatchOffsets);
    typicalBatchBytes = averageBatchBytes;
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
      sampleBatch(size, b.lastOffset() - b.baseOffset() + 1);
    }
    publishBatchShape();
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
   * offset}, or -1 when no such batch starts before {@code end}. When found, that batch's header is
   * still in {@code reader}'s chunk ({@code reader.header(position, end)} returns it without a
   * read).
   */
  public int findBatch(BatchHeaderReader reader, long offset, int from, int end)
      throws IOException {
    int slot = offsetIndex.lookupSlot(offset);
    int indexed = offsetIndex.positionOf(slot);
    int pos = Math.max(from, indexed);
    // The next index entry's batch starts after offset, so the batch containing offset lies before
    // it: reading up to there finds it. The entry is only a read-size hint; a walk that passes it
    // (index racing a truncation) reads on in whole chunks.
    int hint = slot + 1 < offsetIndex.entries() ? offsetIndex.positionOf(slot + 1) : end;
    // The first read goes only as far as the typical batch shape says the batch is.
    long until =
        pos == indexed
            ? Math.min(hint, estimatedReadEnd(pos, offset - offsetIndex.offsetOf(slot)))
            : hint;
    ByteBuffer h = reader.buffer();
    while (pos < end) {
      int at = reader.header(pos, pos < until ? until : end);
      if (BatchHeader.lastOffset(h, at) >= offset) {
        return pos;
      }
      pos += checkedSize(h, at, pos, end);
      until = hint;
    }
    return -1;
  }

  /**
   * Where a header walk from the batch at {@code position} probably has read every header it needs,
   * the wanted batch being {@code offsetsAhead} offsets further; unbounded when no batch has been
   * seen yet.
   */
  private long estimatedReadEnd(int position, long offsetsAhead) {
    int bytes = typicalBatchBytes;
    if (bytes <= 0) {
      return Long.MAX_VALUE;
    }
    long distance = Math.max(0, offsetsAhead) / Math.max(1, typicalBatchOffsets) * bytes;
    return position + distance + distance / 4 + BatchHeader.SIZE + READ_SLACK;
  }

  /**
   * The last batch boundary at or before {@code limit}, starting from the boundary {@code from}.
   */
  private int lastBoundaryAtOrBefore(BatchHeaderReader reader, int from, long limit, int end)
      throws IOException {
    int pos = Math.max(from, offsetIndex.floorPosition(limit));
    // Every header this walk looks at starts at or before limit; the first read goes only as far
    // as the typical batch size says the last boundary is.
    long readUntil = limit + BatchHeader.SIZE;
    int bytes = typicalBatchBytes;
    long until = readUntil;
    if (bytes > 0) {
      long distance = (limit - pos) / bytes * bytes;
      until = Math.min(readUntil, pos + distance + distance / 4 + BatchHeader.SIZE + READ_SLACK);
    }
    ByteBuffer h = reader.buffer();
    while (pos < end) {
      int size = checkedSize(h, reader.header(pos, until), pos, end);
      if (pos + (long) size > limit) {
        break;
      }
      pos += size;
      until = readUntil;
    }
    return pos;
  }

  /** The size of the batch whose header is at {@code at} in {@code h}, checked against the end. */
  public int checkedSize(ByteBuffer h, int at, int pos, int end) {
    int size = BatchHeader.sizeInBytes(h, at);
    if (size < BatchHeader.SIZE || pos + (long) size > end) {
      throw new IllegalStateException(
          "Batch at position " + pos + " of " + records.file() + " has invalid size " + size);
    }
    return size;
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
    int start = findBatch(reader, fetchOffset, 0, end);
    if (start < 0) {
      return null;
    }
    ByteBuffer h = reader.buffer();
    int at = reader.header(start, end);
    if (BatchHeader.lastOffset(h, at) >= maxOffsetExclusive) {
      return MemoryRecords.EMPTY;
    }
    int firstSize = checkedSize(h, at, start, end);
    int limit = end;
    if (maxOffsetExclusive < nextOffset) {
      int bound = findBatch(reader, maxOffsetExclusive, start + firstSize, end);
      if (bound >= 0) {
        limit = bound;
      }
    }
    long wanted = (long) start + Math.max(0, maxBytes);
    if (wanted < limit) {
      limit = lastBoundaryAtOrBefore(reader, start, wanted, limit);
    }
    if (limit == start) {
      if (!minOneBatch) {
        return MemoryRecords.EMPTY;
      }
      limit = start + firstSize;
    }
    return records.slice(start, limit - start);
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
