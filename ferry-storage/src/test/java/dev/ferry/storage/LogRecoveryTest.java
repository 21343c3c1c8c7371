package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.segment.SegmentFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LogRecoveryTest {

  @TempDir Path tmp;
  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

  @BeforeEach
  void captureWarnings() {
    warnings.start();
    ((Logger) LoggerFactory.getLogger(LogSegment.class)).addAppender(warnings);
  }

  @AfterEach
  void stopCapture() {
    ((Logger) LoggerFactory.getLogger(LogSegment.class)).detachAppender(warnings);
  }

  private static final int BATCHES = 150; // 2 records each: offsets 0..299, several segments

  /** Writes the standard log, then returns a crash copy of its directory (log still open). */
  private Path writeAndCrash() throws IOException {
    Path dir = tmp.resolve("live").resolve("r-0");
    try (PartitionLog log = open(dir, true)) {
      for (int i = 0; i < BATCHES; i++) {
        log.append(Batches.batch("v" + i, 2, 1_000 + i), 0);
      }
      assertThat(log.segmentCount()).isGreaterThanOrEqualTo(3);
      return LogTestSupport.crashCopy(dir, tmp.resolve("crash"));
    }
  }

  private static PartitionLog open(Path dir, boolean clean) {
    return PartitionLog.open(dir, LogTestSupport.small(), Time.SYSTEM, clean);
  }

  private static List<Long> bases(Path dir) throws IOException {
    List<Long> bases = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".log"))
          .map(n -> Long.parseLong(n.substring(0, 20)))
          .sorted()
          .forEach(bases::add);
    }
    return bases;
  }

  /** (position, baseOffset) of every batch in a segment file. */
  private static List<long[]> batchesOf(Path logFile) throws IOException {
    List<long[]> out = new ArrayList<>();
    try (FileRecords fr = FileRecords.open(logFile.toFile(), false)) {
      for (FileChannelRecordBatch b : fr.batches()) {
        out.add(new long[] {b.position(), b.baseOffset()});
      }
    }
    return out;
  }

  /** Every record from {@code from} to the log end, by successive fetches. */
  private static List<String> readAll(PartitionLog log, long from) {
    List<String> values = new ArrayList<>();
    long next = from;
    for (int guard = 0; next < log.logEndOffset() && guard < 10_000; guard++) {
      ReadResult r = log.read(next, 1 << 20, Long.MAX_VALUE, true);
      List<Batches.Rec> recs = Batches.decode(r.records());
      for (Batches.Rec rec : recs) {
        assertThat(rec.offset()).isEqualTo(next);
        values.add(rec.value());
        next++;
      }
    }
    return values;
  }

  private static List<String> expectedValues(int batches) {
    List<String> v = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      v.add("v" + i + "-0");
      v.add("v" + i + "-1");
    }
    return v;
  }

  private boolean warned(String... parts) {
    return warnings.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .anyMatch(
            m -> {
              for (String p : parts) {
                if (!m.contains(p)) {
                  return false;
                }
              }
              return true;
            });
  }

  @Test
  void cleanRestartDoesNotScanAndServesEverything() throws IOException {
    Path dir = tmp.resolve("r-0");
    try (PartitionLog log = open(dir, true)) {
      for (int i = 0; i < BATCHES; i++) {
        log.append(Batches.batch("v" + i, 2, 1_000 + i), 0);
      }
    }
    try (PartitionLog log = open(dir, true)) {
      assertThat(log.loadStats().recoveredSegments()).isZero();
      assertThat(log.loadStats().recoveredBatches()).isZero();
      assertThat(log.loadStats().replayedBatches()).isZero();
      assertThat(log.logEndOffset()).isEqualTo(BATCHES * 2);
      assertThat(readAll(log, 0)).containsExactlyElementsOf(expectedValues(BATCHES));
      assertThat(log.append(Batches.batch("after", 1, 1), 0).firstOffset()).isEqualTo(BATCHES * 2);
    }
  }

  @Test
  void uncleanRestartVerifiesEverythingAfterTheRecoveryPoint() throws IOException {
    Path crashed = writeAndCrash();
    List<Long> bases = bases(crashed);
    try (PartitionLog log = open(crashed, false)) {
      assertThat(log.loadStats().recoveredSegments()).isEqualTo(bases.size());
      assertThat(log.loadStats().recoveredBatches()).isEqualTo(BATCHES);
      assertThat(log.loadStats().truncated()).isFalse();
      assertThat(readAll(log, 0)).containsExactlyElementsOf(expectedValues(BATCHES));
      assertThat(log.recoveryPoint()).isEqualTo(BATCHES * 2);
    }
    Path again = writeAndCrashTo("again");
    long lastBase = bases(again).get(bases(again).size() - 1);
    try (PartitionLog log =
        PartitionLog.open(again, LogTestSupport.small(), Time.SYSTEM, false, lastBase, 0)) {
      assertThat(log.loadStats().recoveredSegments()).isEqualTo(1);
      assertThat(readAll(log, 0)).containsExactlyElementsOf(expectedValues(BATCHES));
    }
  }

  private Path writeAndCrashTo(String name) throws IOException {
    Path dir = tmp.resolve(name).resolve("r-0");
    try (PartitionLog log = open(dir, true)) {
      for (int i = 0; i < BATCHES; i++) {
        log.append(Batches.batch("v" + i, 2, 1_000 + i), 0);
      }
      return LogTestSupport.crashCopy(dir, tmp.resolve(name + "-crash"));
    }
  }

  @Test
  void partialBatchAtTheTailIsCutOff() throws IOException {
    Path crashed = writeAndCrash();
    List<Long> bases = bases(crashed);
    Path last = LogTestSupport.segmentLog(crashed, bases.get(bases.size() - 1));
    long size = Files.size(last);
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.truncate(size - 7);
    }
    try (PartitionLog log = open(crashed, false)) {
      assertThat(log.loadStats().truncated()).isTrue();
      assertThat(log.logEndOffset()).isEqualTo(BATCHES * 2 - 2);
      assertThat(readAll(log, 0)).containsExactlyElementsOf(expectedValues(BATCHES - 1));
      assertThat(log.append(Batches.batch("new", 1, 1), 0).firstOffset())
          .isEqualTo(BATCHES * 2 - 2);
    }
    assertThat(warned(last.getFileName().toString(), "partial")).isTrue();
  }

  @Test
  void flippedByteTruncatesAtThatBatchAndKeepsEverythingBefore() throws IOException {
    Path crashed = writeAndCrash();
    List<Long> bases = bases(crashed);
    Path last = LogTestSupport.segmentLog(crashed, bases.get(bases.size() - 1));
    List<long[]> batches = batchesOf(last);
    long[] victim = batches.get(batches.size() / 2);
    flipByte(last, victim[0] + 70);

    try (PartitionLog log = open(crashed, false)) {
      assertThat(log.logEndOffset()).isEqualTo(victim[1]);
      assertThat(readAll(log, 0)).containsExactlyElementsOf(expectedValues((int) victim[1] / 2));
      assertThat(Files.size(last)).isEqualTo(victim[0]);
    }
    assertThat(warned(last.getFileName().toString(), "position " + victim[0], "CRC32C")).isTrue();
  }

  @Test
  void corruptionInAnEarlierSegmentDropsTheSegmentsAfterIt() throws IOException {
    Path crashed = writeAndCrash();
    List<Long> bases = bases(crashed);
    Path first = LogTestSupport.segmentLog(crashed, bases.get(0));
    List<long[]> batches = batchesOf(first);
    long[] victim = batches.get(3);
    flipByte(first, victim[0] + 65);

    try (PartitionLog log = open(crashed, false)) {
      assertThat(log.logEndOffset()).isEqualTo(victim[1]);
      assertThat(log.segmentCount()).isEqualTo(1);
      assertThat(bases(crashed)).containsExactly(bases.get(0));
      assertThat(readAll(log, 0)).containsExactlyElementsOf(expectedValues((int) victim[1] / 2));
      // the surviving segment is the active one again: appends work and roll normally
      for (int i = 0; i < 100; i++) {
        log.append(Batches.batch("n" + i, 2, 1), 0);
      }
      assertThat(log.segmentCount()).isGreaterThan(1);
      assertThat(readAll(log, victim[1]).get(0)).isEqualTo("n0-0");
    }
  }

  @Test
  void zeroFilledTailIsCutOff() throws IOException {
    Path crashed = writeAndCrash();
    List<Long> bases = bases(crashed);
    Path last = LogTestSupport.segmentLog(crashed, bases.get(bases.size() - 1));
    long size = Files.size(last);
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(3000), size);
    }
    try (PartitionLog log = open(crashed, false)) {
      assertThat(log.logEndOffset()).isEqualTo(BATCHES * 2);
      assertThat(Files.size(last)).isEqualTo(size);
      assertThat(readAll(log, 0)).containsExactlyElementsOf(expectedValues(BATCHES));
    }
  }

  @Test
  void deletedIndexFilesAreRebuiltAfterACleanStop() throws IOException {
    Path dir = tmp.resolve("r-0");
    try (PartitionLog log = open(dir, true)) {
      for (int i = 0; i < BATCHES; i++) {
        log.append(Batches.batch("v" + i, 2, 1_000 + i), 0);
      }
    }
    long firstBase = bases(dir).get(0);
    long indexSize = Files.size(SegmentFiles.indexFile(dir, firstBase));
    assertThat(indexSize).isPositive();
    for (long base : bases(dir)) {
      Files.delete(SegmentFiles.indexFile(dir, base));
      Files.delete(SegmentFiles.timeIndexFile(dir, base));
    }
    try (PartitionLog log = open(dir, true)) {
      assertThat(log.loadStats().recoveredSegments()).isEqualTo(bases(dir).size());
      assertThat(readAll(log, 0)).containsExactlyElementsOf(expectedValues(BATCHES));
      for (long o = 0; o < BATCHES * 2; o += 7) {
        assertThat(Batches.offsets(log.read(o, 1 << 20, Long.MAX_VALUE, true).records()).get(0))
            .isEqualTo(o - o % 2);
      }
      assertThat(log.offsetForTimestamp(1_000 + 100)).isEqualTo(new TimestampOffset(1_100, 200));
    }
    assertThat(Files.size(SegmentFiles.indexFile(dir, firstBase))).isEqualTo(indexSize);
  }

  @Test
  void corruptIndexFilesAreRebuiltAfterACleanStop() throws IOException {
    Path dir = tmp.resolve("r-0");
    try (PartitionLog log = open(dir, true)) {
      for (int i = 0; i < BATCHES; i++) {
        log.append(Batches.batch("v" + i, 2, 1_000 + i), 0);
      }
    }
    List<Long> bases = bases(dir);
    // entries out of order
    Path index0 = SegmentFiles.indexFile(dir, bases.get(0));
    try (RandomAccessFile raf = new RandomAccessFile(index0.toFile(), "rw")) {
      raf.seek(8);
      raf.writeInt(0);
      raf.writeInt(0);
    }
    // size not a multiple of the entry size
    Files.write(
        SegmentFiles.timeIndexFile(dir, bases.get(1)), new byte[5], StandardOpenOption.APPEND);
    // last entry beyond the end of the log
    Path index2 = SegmentFiles.indexFile(dir, bases.get(2));
    try (RandomAccessFile raf = new RandomAccessFile(index2.toFile(), "rw")) {
      raf.seek(raf.length());
      raf.writeInt(100_000);
      raf.writeInt(1 << 30);
    }
    try (PartitionLog log = open(dir, true)) {
      assertThat(log.loadStats().recoveredSegments()).isEqualTo(3);
      assertThat(readAll(log, 0)).containsExactlyElementsOf(expectedValues(BATCHES));
    }
    assertThat(warned("out of order")).isTrue();
  }

  private static void flipByte(Path file, long position) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(position);
      int b = raf.read();
      raf.seek(position);
      raf.write(b ^ 0x5a);
    }
  }
}
