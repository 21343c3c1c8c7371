package dev.ferry.storage;

import dev.ferry.storage.cleaner.LogCleaner;

import dev.ferry.jmh.TempDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One log-cleaner pass over a compacted log of {@value #RECORDS} records of 512-byte values (about
 * 53 MB in 16 MB segments, 48 MB of it below the active segment, all dirty), written before each
 * invocation: building the key map over every record, then rewriting every segment but the active
 * one. {@code keys} distinct keys, picked at random: 1,000 keys leave about 0.3% of the data,
 * 100,000 keys about a third. The score is ms per pass; 48 MB over it is the cleaning throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, batchSize = 1)
@Measurement(iterations = 5, batchSize = 1)
public class CompactionBenchmark {

  static final int RECORDS = 100_000;
  private static final int RECORDS_PER_BATCH = 50;
  private static final int VALUE_BYTES = 512;

  @Param({"1000", "100000"})
  public int keys;

  private Path dir;
  private PartitionLog log;
  private LogCleaner cleaner;

  @Setup(Level.Invocation)
  public void writeDirtyLog() {
    dir = TempDirs.create("ferry-jmh-compaction");
    LogConfig config =
        LogConfig.defaults()
            .with(
                Map.of(
                    LogConfig.CLEANUP_POLICY, "compact",
                    LogConfig.SEGMENT_BYTES, String.valueOf(16 << 20),
                    LogConfig.FILE_DELETE_DELAY_MS, "0",
                    LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0"));
    log = PartitionLog.open(dir.resolve("compacted-0"), config, Time.SYSTEM, true);
    SplittableRandom random = new SplittableRandom(7);
    byte[] value = new byte[VALUE_BYTES];
    random.nextBytes(value);
    SimpleRecord[] batch = new SimpleRecord[RECORDS_PER_BATCH];
    for (int i = 0; i < RECORDS; i += RECORDS_PER_BATCH) {
      for (int j = 0; j < RECORDS_PER_BATCH; j++) {
        byte[] key = ("key-" + random.nextInt(keys)).getBytes(StandardCharsets.UTF_8);
        batch[j] = new SimpleRecord(System.currentTimeMillis(), key, value);
      }
      log.append(MemoryRecords.withRecords(Compression.NONE, batch), 0);
    }
    log.updateHighWatermark(log.logEndOffset());
    cleaner =
        new LogCleaner(LogCleaner.Config.defaults(), () -> List.of(log), () -> {}, Time.SYSTEM);
  }

  @TearDown(Level.Invocation)
  public void deleteLog() {
    log.close();
    TempDirs.delete(dir);
  }

  @Benchmark
  public boolean cleaningPass() {
    return cleaner.cleanOnce();
  }
}
