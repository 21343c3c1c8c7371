package dev.ferry.storage;

import static dev.ferry.storage.Batches.Rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PartitionLogAppendReadTest {

  @TempDir Path tmp;
  private final List<PartitionLog> opened = new ArrayList<>();

  @AfterEach
  void closeLogs() {
    opened.forEach(PartitionLog::close);
  }

  private PartitionLog open(LogConfig config) {
    PartitionLog log = PartitionLog.open(tmp.resolve("orders-3"), config, Time.SYSTEM, true);
    opened.add(log);
    return log;
  }

  @Test
  void appendAssignsOffsetsInPlaceAndReadReturnsExactRecords() {
    PartitionLog log = open(LogConfig.defaults());
    assertThat(log.topicPartition()).isEqualTo(new TopicPartition("orders", 3));

    MemoryRecords first = Batches.batch("a", 3, 1_000);
    AppendResult r1 = log.append(first, 7);
    AppendResult r2 = log.append(Batches.batch("b", 2, 2_000), 7);

    assertThat(r1).isEqualTo(new AppendResult(0, 2, RecordBatch.NO_TIMESTAMP, 0, false));
    assertThat(r2).isEqualTo(new AppendResult(3, 4, RecordBatch.NO_TIMESTAMP, 0, false));
    // offsets and leader epoch were written into the caller's buffer, CRC still valid
    RecordBatch inBuffer = first.batches().iterator().next();
    assertThat(inBuffer.baseOffset()).isZero();
    assertThat(inBuffer.partitionLeaderEpoch()).isEqualTo(7);
    inBuffer.ensureValid();

    assertThat(log.logEndOffset()).isEqualTo(5);
    ReadResult read = log.read(0, 1 << 20, Long.MAX_VALUE, false);
    assertThat(read.records()).isInstanceOf(FileRecords.class);
    assertThat(read.logStartOffset()).isZero();
    assertThat(read.logEndOffset()).isEqualTo(5);
    assertThat(Batches.decode(read.records()))
        .containsExactly(
            new Rec(0, 1_000, "a-0"),
            new Rec(1, 1_000, "a-1"),
            new Rec(2, 1_000, "a-2"),
            new Rec(3, 2_000, "b-0"),
            new Rec(4, 2_000, "b-1"));
    for (RecordBatch b : read.records().batches()) {
      assertThat(b.partitionLeaderEpoch()).isEqualTo(7);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"GZIP", "SNAPPY", "LZ4", "ZSTD"})
  void compressedBatchesAreStoredAsSentAndReadBack(CompressionType type) {
    PartitionLog log = open(LogConfig.defaults());
    Compression compression = Compression.of(type).build();
    log.append(Batches.batch(Compression.NONE, "plain", 2, 10), 0);
    MemoryRecords compressed = Batches.batch(compression, "z", 50, 20);
    int sentSize = compressed.sizeInBytes();
    AppendResult r = log.append(compressed, 0);

    assertThat(r.firstOffset()).isEqualTo(2);
    assertThat(r.lastOffset()).isEqualTo(51);
    ReadResult read = log.read(10, 1 << 20, Long.MAX_VALUE, false);
    RecordBatch batch = read.records().batches().iterator().next();
    assertThat(batch.compressionType()).isEqualTo(type);
    assertThat(batch.sizeInBytes()).isEqualTo(sentSize); // never recompressed
    assertThat(Batches.offsets(read.records())).containsExactlyElementsOf(range(2, 52));
    assertThat(Batches.values(read.records()).get(49)).isEqualTo("z-49");
  }

  @Test
  void logAppendTimeStampsBatchWithBrokerClock() {
    ManualTime time = new ManualTime(1_700_000_000_000L);
    PartitionLog log =
        PartitionLog.open(
            tmp.resolve("t-0"),
            LogTestSupport.config(Map.of(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime")),
            time,
            true);
    opened.add(log);
    AppendResult r =
        log.append(Batches.batch(Compression.of(CompressionType.LZ4).build(), "x", 3, 5), 0);
    assertThat(r.logAppendTimeMs()).isEqualTo(1_700_000_000_000L);
    RecordBatch b =
        log.read(0, 1 << 20, Long.MAX_VALUE, false).records().batches().iterator().next();
    b.ensureValid();
    assertThat(b.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
    assertThat(b.maxTimestamp()).isEqualTo(1_700_000_000_000L);
  }

  @Test
  void readFromTheMiddleOfABatchReturnsTheWholeBatch() {
    PartitionLog log = open(LogConfig.defaults());
    log.append(Batches.batch("a", 5, 1), 0); // 0..4
    log.append(Batches.batch("b", 5, 1), 0); // 5..9
    log.append(Batches.batch("c", 5, 1), 0); // 10..14

    ReadResult read = log.read(7, 1 << 20, Long.MAX_VALUE, false);
    assertThat(Batches.batchBases(read.records())).containsExactly(5L, 10L);
    assertThat(Batches.offsets(read.records()).get(0)).isEqualTo(5);

    assertThat(Batches.batchBases(log.read(14, 1 << 20, Long.MAX_VALUE, false).records()))
        .containsExactly(10L);
  }

  @Test
  void readIsBoundedByMaxOffsetExclusive() {
    PartitionLog log = open(LogConfig.defaults());
    log.append(Batches.batch("a", 5, 1), 0); // 0..4
    log.append(Batches.batch("b", 5, 1), 0); // 5..9
    log.append(Batches.batch("c", 5, 1), 0); // 10..14

    assertThat(Batches.batchBases(log.read(0, 1 << 20, 10, false).records()))
        .containsExactly(0L, 5L);
    // a batch straddling the bound is withheld
    assertThat(Batches.batchBases(log.read(0, 1 << 20, 7, false).records())).containsExactly(0L);
    assertThat(log.read(5, 1 << 20, 7, true).records().sizeInBytes()).isZero();
    // at or above the bound but below the log end: empty, not an error
    assertThat(log.read(12, 1 << 20, 10, true).records().sizeInBytes()).isZero();
  }

  @Test
  void readIsBoundedByMaxBytesWithWholeBatchesOnly() {
    PartitionLog log = open(LogConfig.defaults());
    int size = 0;
    for (int i = 0; i < 4; i++) {
      MemoryRecords m = Batches.batch("v" + i, 10, 1);
      size = m.sizeInBytes();
      log.append(m, 0);
    }
    ReadResult twoAndABit = log.read(0, size * 2 + size / 2, Long.MAX_VALUE, false);
    assertThat(Batches.batchBases(twoAndABit.records())).containsExactly(0L, 10L);

    // first batch larger than maxBytes: only with minOneBatch
    assertThat(log.read(20, 10, Long.MAX_VALUE, false).records().sizeInBytes()).isZero();
    assertThat(Batches.batchBases(log.read(25, 10, Long.MAX_VALUE, true).records()))
        .containsExactly(20L);
  }

  @Test
  void fetchAtLogEndIsEmptyAndOutsideTheLogThrows() {
    PartitionLog log = open(LogConfig.defaults());
    assertThat(log.read(0, 100, Long.MAX_VALUE, true).records().sizeInBytes()).isZero();
    log.append(Batches.batch("a", 3, 1), 0);
    assertThat(log.read(3, 100, Long.MAX_VALUE, true).records().sizeInBytes()).isZero();
    assertThatThrownBy(() -> log.read(4, 100, Long.MAX_VALUE, true))
        .isInstanceOf(OffsetOutOfRangeException.class);
    assertThatThrownBy(() -> log.read(-1, 100, Long.MAX_VALUE, true))
        .isInstanceOf(OffsetOutOfRangeException.class);
  }

  @Test
  void multiBatchAppendGetsContiguousOffsets() {
    PartitionLog log = open(LogConfig.defaults());
    AppendResult r =
        log.append(
            Batches.concat(
                Batches.batch("a", 2, 1), Batches.batch("b", 3, 1), Batches.batch("c", 1, 1)),
            0);
    assertThat(r.firstOffset()).isZero();
    assertThat(r.lastOffset()).isEqualTo(5);
    assertThat(Batches.values(log.read(0, 1 << 20, Long.MAX_VALUE, false).records()))
        .containsExactly("a-0", "a-1", "b-0", "b-1", "b-2", "c-0");
  }

  @Test
  void readsAcrossSegmentsEndAtASegmentBoundary() {
    PartitionLog log = open(LogTestSupport.small());
    for (int i = 0; i < 150; i++) {
      log.append(Batches.batch("r" + i, 2, 1), 0);
    }
    assertThat(log.segmentCount()).isGreaterThan(2);
    List<Long> bases = log.segmentBaseOffsets();
    long second = bases.get(1);
    // reading the last batch of the first segment stops at its end
    ReadResult tail = log.read(second - 1, 1 << 20, Long.MAX_VALUE, false);
    assertThat(Batches.offsets(tail.records())).containsExactly(second - 2, second - 1);
    // every offset can be fetched and the batch containing it comes back first
    for (long o = 0; o < 300; o++) {
      List<Long> got = Batches.offsets(log.read(o, 1 << 20, Long.MAX_VALUE, false).records());
      assertThat(got.get(0)).isEqualTo(o - o % 2);
      assertThat(got).contains(o);
    }
  }

  @Test
  void concurrentReadersOnlySeeWholeBatches() throws Exception {
    PartitionLog log = open(LogTestSupport.small());
    int batches = 400;
    ExecutorService pool = Executors.newFixedThreadPool(3);
    CountDownLatch start = new CountDownLatch(1);
    try {
      Future<?> writer =
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < batches; i++) {
                  log.append(Batches.batch("w" + i, 3, i), 0);
                }
                return null;
              });
      List<Future<Long>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(
            pool.submit(
                () -> {
                  start.await();
                  long next = 0;
                  long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                  while (next < batches * 3L && System.nanoTime() < deadline) {
                    ReadResult rr = log.read(next, 1000, Long.MAX_VALUE, true);
                    for (Rec rec : Batches.decode(rr.records())) {
                      assertThat(rec.offset()).isEqualTo(next);
                      assertThat(rec.value()).isEqualTo("w" + (next / 3) + "-" + (next % 3));
                      next++;
                    }
                    Batches.batchBases(rr.records());
                  }
                  return next;
                }));
      }
      start.countDown();
      writer.get(30, TimeUnit.SECONDS);
      for (Future<Long> f : readers) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(batches * 3L);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void flushMessagesForcesAFlushInsideAppendAndMovesTheRecoveryPoint() {
    PartitionLog log = open(LogTestSupport.config(Map.of(LogConfig.FLUSH_MESSAGES, "5")));
    log.append(Batches.batch("a", 3, 1), 0);
    assertThat(log.recoveryPoint()).isZero();
    log.append(Batches.batch("b", 2, 1), 0);
    assertThat(log.recoveryPoint()).isEqualTo(5);
    log.append(Batches.batch("c", 1, 1), 0);
    assertThat(log.recoveryPoint()).isEqualTo(5);
    log.flush();
    assertThat(log.recoveryPoint()).isEqualTo(6);
  }

  static List<Long> range(long from, long toExclusive) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i < toExclusive; i++) {
      out.add(i);
    }
    return out;
  }
}
