package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.segment.BatchHeader;
import dev.ferry.storage.segment.BatchHeaderReader;
import dev.ferry.storage.segment.LogSegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fetch path of one segment ({@link LogSegment#read}) over the chunked header walk of {@link
 * BatchHeaderReader}: exact slices at chunk edges, for batches larger than a chunk, compressed
 * batches, the segment end, KIP-74's one whole batch and bytes past the committed size, and the
 * same answers as a batch-by-batch reference walk on random logs.
 */
class SegmentReadTest {

  private static final int MAX_INDEX_SIZE = 1 << 16;

  @TempDir Path tmp;
  private final List<LogSegment> opened = new ArrayList<>();
  private int dirs;

  @AfterEach
  void close() {
    opened.forEach(LogSegment::closeQuietly);
  }

  private LogSegment segment() throws IOException {
    Path dir = tmp.resolve("orders-" + dirs++);
    java.nio.file.Files.createDirectories(dir);
    LogSegment s = LogSegment.create(dir, 0, MAX_INDEX_SIZE);
    opened.add(s);
    return s;
  }

  /** Appends one batch at the segment's next offset, as the log would after assigning offsets. */
  private static void append(
      LogSegment s, Compression compression, int indexInterval, int count, int valueBytes)
      throws IOException {
    SimpleRecord[] recs = new SimpleRecord[count];
    long base = s.nextOffset();
    for (int i = 0; i < count; i++) {
      byte[] value = new byte[valueBytes];
      byte[] text = ("v" + (base + i)).getBytes(StandardCharsets.UTF_8);
      System.arraycopy(text, 0, value, 0, Math.min(text.length, value.length));
      recs[i] = new SimpleRecord(1_000L + base + i, null, value);
    }
    MemoryRecords memory = MemoryRecords.withRecords(base, compression, recs);
    List<MutableRecordBatch> batches = new ArrayList<>();
    memory.batches().forEach(batches::add);
    s.append(memory, batches, indexInterval, 0L);
  }

  private static void append(LogSegment s, int indexInterval, int count, int valueBytes)
      throws IOException {
    append(s, Compression.NONE, indexInterval, count, valueBytes);
  }

  private static Records read(
      LogSegment s, int chunk, long offset, int maxBytes, long maxOffsetExclusive, boolean minOne)
      throws IOException {
    BatchHeaderReader reader = new BatchHeaderReader(chunk);
    int end = s.sizeInBytes();
    reader.reset(s.fileRecords().channel(), end);
    return s.read(reader, end, offset, maxBytes, maxOffsetExclusive, minOne);
  }

  /** Base offsets of the whole batches in {@code records}, failing on a partial one. */
  private static List<Long> bases(Records records) {
    return Batches.batchBases(records);
  }

  @Test
  void headerStraddlingTheChunkEndIsReadAgainFromItsStart() throws IOException {
    LogSegment s = segment();
    for (int i = 0; i < 6; i++) {
      append(s, Integer.MAX_VALUE, 1, 40);
    }
    int batch = s.sizeInBytes() / 6;
    // The chunk ends 20 bytes into the second batch's header: the walk must refill from there.
    int chunk = batch + 20;
    BatchHeaderReader reader = new BatchHeaderReader(chunk);
    reader.reset(s.fileRecords().channel(), s.sizeInBytes());

    Records r = s.read(reader, s.sizeInBytes(), 3, 1 << 20, Long.MAX_VALUE, false);

    assertThat(bases(r)).containsExactly(3L, 4L, 5L);
    assertThat(Batches.offsets(r)).containsExactly(3L, 4L, 5L);
    // from position 0 (no index entry): chunks start at batches 0, 1, 2 and 3
    assertThat(reader.fills()).isEqualTo(4);
  }

  @Test
  void batchLargerThanTheChunkIsSkippedByItsHeaderAndServedWhole() throws IOException {
    LogSegment s = segment();
    append(s, Integer.MAX_VALUE, 2, 10); // 0-1
    append(s, Integer.MAX_VALUE, 1, 20_000); // 2, far larger than the chunk
    append(s, Integer.MAX_VALUE, 3, 10); // 3-5
    append(s, Integer.MAX_VALUE, 1, 10); // 6

    assertThat(bases(read(s, 256, 4, 1 << 20, Long.MAX_VALUE, false))).containsExactly(3L, 6L);
    assertThat(bases(read(s, 256, 2, 1 << 20, Long.MAX_VALUE, false))).containsExactly(2L, 3L, 6L);
    // max bytes cut before the large batch: only the first one
    assertThat(bases(read(s, 256, 0, 1_000, Long.MAX_VALUE, false))).containsExactly(0L);
    // KIP-74: the large batch alone, whole, although max bytes is smaller
    Records big = read(s, 256, 2, 1_000, Long.MAX_VALUE, true);
    assertThat(bases(big)).containsExactly(2L);
    assertThat(big.sizeInBytes()).isGreaterThan(20_000);
    assertThat(Batches.decode(big).get(0).value()).startsWith("v2");
  }

  @Test
  void offsetInsideACompressedBatchReturnsThatWholeBatch() throws IOException {
    LogSegment s = segment();
    append(s, Compression.NONE, 0, 5, 30); // 0-4
    append(s, Compression.gzip().build(), 0, 10, 30); // 5-14
    append(s, Compression.NONE, 0, 2, 30); // 15-16

    Records r = read(s, 128, 9, 1 << 20, Long.MAX_VALUE, false);

    assertThat(bases(r)).containsExactly(5L, 15L);
    RecordBatch first = r.batches().iterator().next();
    assertThat(first.compressionType()).isEqualTo(CompressionType.GZIP);
    assertThat(Batches.offsets(r))
        .containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L);
    // the high watermark inside the compressed batch: nothing of it may be returned
    assertThat(read(s, 128, 9, 1 << 20, 12, true).sizeInBytes()).isZero();
    assertThat(bases(read(s, 128, 0, 1 << 20, 12, true))).containsExactly(0L);
  }

  @Test
  void readAtTheSegmentEndFindsNothingAndAtTheLastOffsetOnlyTheLastBatch() throws IOException {
    LogSegment s = segment();
    for (int i = 0; i < 20; i++) {
      append(s, 100, 2, 50);
    }
    assertThat(s.nextOffset()).isEqualTo(40);

    assertThat(read(s, 512, 40, 1 << 20, Long.MAX_VALUE, true)).isNull();
    assertThat(s.read(40, 1 << 20, Long.MAX_VALUE, true)).isNull();
    assertThat(bases(read(s, 512, 39, 1 << 20, Long.MAX_VALUE, true))).containsExactly(38L);
    assertThat(Batches.offsets(s.read(39, 1 << 20, Long.MAX_VALUE, true)))
        .containsExactly(38L, 39L);
  }

  @Test
  void maxBytesSmallerThanTheFirstBatchStillReturnsItWholeWithMinOneBatch() throws IOException {
    LogSegment s = segment();
    for (int i = 0; i < 4; i++) {
      append(s, 0, 3, 100);
    }
    int batch = s.sizeInBytes() / 4;

    assertThat(bases(read(s, 512, 4, 10, Long.MAX_VALUE, true))).containsExactly(3L);
    assertThat(read(s, 512, 4, 10, Long.MAX_VALUE, true).sizeInBytes()).isEqualTo(batch);
    assertThat(read(s, 512, 4, 10, Long.MAX_VALUE, false).sizeInBytes()).isZero();
    assertThat(read(s, 512, 4, 0, Long.MAX_VALUE, false).sizeInBytes()).isZero();
    // one byte short of two batches: one; exactly two: two
    assertThat(bases(read(s, 512, 4, 2 * batch - 1, Long.MAX_VALUE, true))).containsExactly(3L);
    assertThat(bases(read(s, 512, 4, 2 * batch, Long.MAX_VALUE, false))).containsExactly(3L, 6L);
  }

  @Test
  void bytesPastTheCommittedSizeAreNeverReturned() throws IOException {
    LogSegment s = segment();
    for (int i = 0; i < 8; i++) {
      append(s, 0, 1, 60);
    }
    int committed = s.sizeInBytes();
    byte[] committedBytes = bytes(s.read(0, 1 << 20, Long.MAX_VALUE, true));
    // An append in progress: a whole next batch written but not published, then half of another.
    MemoryRecords next =
        MemoryRecords.withRecords(8, Compression.NONE, new SimpleRecord(9L, null, new byte[60]));
    ByteBuffer raw = ByteBuffer.allocate(next.sizeInBytes() + next.sizeInBytes() / 2);
    raw.put(next.buffer().duplicate());
    ByteBuffer half = next.buffer().duplicate();
    half.limit(next.sizeInBytes() / 2);
    raw.put(half).flip();
    s.fileRecords().channel().write(raw, committed);

    for (int chunk : new int[] {BatchHeader.SIZE, 100, 4096}) {
      Records all = read(s, chunk, 0, 1 << 20, Long.MAX_VALUE, true);
      assertThat(bytes(all)).isEqualTo(committedBytes);
      assertThat(bases(read(s, chunk, 7, 1 << 20, Long.MAX_VALUE, true))).containsExactly(7L);
      assertThat(read(s, chunk, 8, 1 << 20, Long.MAX_VALUE, true)).isNull();
    }
    assertThat(bytes(s.read(0, 1 << 20, Long.MAX_VALUE, true))).isEqualTo(committedBytes);
    assertThat(s.read(8, 1 << 20, Long.MAX_VALUE, true)).isNull();
  }

  @Test
  void aBatchClaimingToRunPastTheCommittedEndIsAnError() throws IOException {
    LogSegment s = segment();
    append(s, 0, 1, 60);
    append(s, 0, 1, 60);
    int committed = s.sizeInBytes();
    int first = committed / 2;
    // Told the segment ends inside the second batch, the trimming walk finds it running past the
    // end instead of slicing half of it.
    BatchHeaderReader reader = new BatchHeaderReader(256);
    reader.reset(s.fileRecords().channel(), committed - 1);
    assertThatThrownBy(() -> s.read(reader, committed - 1, 0, first + 10, Long.MAX_VALUE, true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("invalid size");
  }

  @Test
  void smallBatchesBetweenIndexEntriesCostOneReadPerGap() throws IOException {
    LogSegment s = segment();
    for (int i = 0; i < 2_000; i++) {
      append(s, 4096, 1, 200); // ~270-byte batches, an index entry every ~16 of them
    }
    BatchHeaderReader reader = new BatchHeaderReader(BatchHeaderReader.DEFAULT_CHUNK_SIZE);
    int end = s.sizeInBytes();
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 200; i++) {
      long offset = random.nextLong(1_000);
      reader.reset(s.fileRecords().channel(), end);
      long before = reader.fills();
      Records r = s.read(reader, end, offset, 100_000, Long.MAX_VALUE, true);
      assertThat(Batches.offsets(r).get(0)).isEqualTo(offset);
      // one read finds the first batch, one trims the end (batch-at-a-time reads took ~17)
      assertThat(reader.fills() - before).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void largeBatchesCostAFewHundredBytesReadPerWalk() throws IOException {
    LogSegment s = segment();
    for (int i = 0; i < 100; i++) {
      append(s, 4096, 50, 200); // ~10 KiB batches: each one indexed
    }
    BatchHeaderReader reader = new BatchHeaderReader(BatchHeaderReader.DEFAULT_CHUNK_SIZE);
    int end = s.sizeInBytes();
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 100; i++) {
      long offset = random.nextLong(2_500);
      reader.reset(s.fileRecords().channel(), end);
      long fills = reader.fills();
      long bytes = reader.bytesRead();
      Records r = s.read(reader, end, offset, 100_000, Long.MAX_VALUE, true);
      assertThat(bases(r).get(0)).isEqualTo(offset / 50 * 50);
      assertThat(reader.fills() - fills).isLessThanOrEqualTo(2);
      // the typical batch size says the header wanted is the one at the index position: read a
      // header and some slack at each end of the answer, not the chunk
      assertThat(reader.bytesRead() - bytes).isLessThanOrEqualTo(2 * 1_024);
    }
  }

  /** Exactly what a batch-by-batch walk of the file would return, on random logs and reads. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void randomLogsGiveTheSameSlicesAsAReferenceWalk(long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    LogSegment s = segment();
    int indexInterval = new int[] {0, 100, 1024, 4096, Integer.MAX_VALUE}[random.nextInt(5)];
    int batches = 1 + random.nextInt(300);
    for (int i = 0; i < batches; i++) {
      int count = random.nextInt(10) == 0 ? 1 + random.nextInt(40) : 1 + random.nextInt(3);
      int valueBytes =
          random.nextInt(20) == 0 ? 5_000 + random.nextInt(20_000) : random.nextInt(300);
      Compression compression =
          random.nextInt(5) == 0 ? Compression.gzip().build() : Compression.NONE;
      append(s, compression, indexInterval, count, valueBytes);
    }
    List<long[]> ref = referenceBatches(s);
    long next = s.nextOffset();
    int size = s.sizeInBytes();
    for (int q = 0; q < 400; q++) {
      long offset = random.nextLong(next + 2);
      int maxBytes =
          switch (random.nextInt(5)) {
            case 0 -> 0;
            case 1 -> random.nextInt(200);
            case 2 -> Integer.MAX_VALUE;
            default -> random.nextInt(size + 100);
          };
      long maxExclusive = random.nextInt(4) == 0 ? Long.MAX_VALUE : random.nextLong(next + 3);
      boolean minOne = random.nextBoolean();
      int chunk = new int[] {BatchHeader.SIZE, 100, 333, 4096, 8192}[random.nextInt(5)];
      String query =
          "offset "
              + offset
              + " maxBytes "
              + maxBytes
              + " bound "
              + maxExclusive
              + " minOne "
              + minOne
              + " chunk "
              + chunk
              + " index interval "
              + indexInterval;

      int[] expected = referenceRead(ref, offset, maxBytes, maxExclusive, minOne);
      Records chunked = read(s, chunk, offset, maxBytes, maxExclusive, minOne);
      Records perThread = s.read(offset, maxBytes, maxExclusive, minOne);
      if (expected == null) {
        assertThat(chunked).as(query).isNull();
        assertThat(perThread).as(query).isNull();
        continue;
      }
      byte[] expectedBytes = fileBytes(s, expected[0], expected[1]);
      assertThat(bytes(chunked)).as(query).isEqualTo(expectedBytes);
      assertThat(bytes(perThread)).as(query).isEqualTo(expectedBytes);
      if (expected[1] > 0) {
        assertThat(((FileRecords) chunked).file()).isEqualTo(s.fileRecords().file());
      }
    }
  }

  /**
   * Every batch of the segment as {position, size, base offset, last offset}, via kafka-clients.
   */
  private static List<long[]> referenceBatches(LogSegment s) {
    List<long[]> out = new ArrayList<>();
    long pos = 0;
    for (RecordBatch b : s.fileRecords().slice(0, s.sizeInBytes()).batches()) {
      out.add(new long[] {pos, b.sizeInBytes(), b.baseOffset(), b.lastOffset()});
      pos += b.sizeInBytes();
    }
    assertThat(pos).isEqualTo(s.sizeInBytes());
    return out;
  }

  /**
   * {position, length} of the expected slice, or null when no batch contains or follows the offset:
   * the first batch whose last offset reaches {@code offset}, then whole batches while they stay
   * below the bound and within max bytes, at least the first if {@code minOne}.
   */
  private static int[] referenceRead(
      List<long[]> batches, long offset, int maxBytes, long maxExclusive, boolean minOne) {
    int first = 0;
    while (first < batches.size() && batches.get(first)[3] < offset) {
      first++;
    }
    if (first == batches.size()) {
      return null;
    }
    long start = batches.get(first)[0];
    if (batches.get(first)[3] >= maxExclusive) {
      return new int[] {(int) start, 0};
    }
    long length = 0;
    for (int i = first; i < batches.size(); i++) {
      long[] b = batches.get(i);
      if (b[3] >= maxExclusive || length + b[1] > Math.max(0, maxBytes)) {
        break;
      }
      length += b[1];
    }
    if (length == 0 && minOne) {
      length = batches.get(first)[1];
    }
    return new int[] {(int) start, (int) length};
  }

  private static byte[] fileBytes(LogSegment s, int position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    s.fileRecords().readInto(buf, position);
    return Arrays.copyOf(buf.array(), length);
  }

  private static byte[] bytes(Records records) throws IOException {
    if (records instanceof FileRecords f) {
      ByteBuffer buf = ByteBuffer.allocate(f.sizeInBytes());
      f.readInto(buf, 0);
      return buf.array();
    }
    ByteBuffer b = ((MemoryRecords) records).buffer();
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
