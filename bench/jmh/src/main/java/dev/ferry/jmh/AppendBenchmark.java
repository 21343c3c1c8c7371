package dev.ferry.jmh;

import dev.ferry.storage.AppendResult;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The produce path's storage half: {@link PartitionLog#append} of one prebuilt batch as leader
 * (header checks and CRC32C, offset assignment in place, write to the active segment, index
 * entries). Kafka's defaults otherwise (1 GiB segments, no fsync), so the file writes land in the
 * page cache, as they do in a broker.
 *
 * <p>The score is batches/s; the {@code bytes} counter gives bytes/s of batch data (MB/s in
 * bench/results/jmh.md). The log is emptied after every iteration, outside the measured time, so
 * the disk holds at most one iteration's data (about a GB).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AppendBenchmark {

  @Param({"1", "50"})
  public int recordsPerBatch;

  @Param({"none", "lz4"})
  public String compression;

  private Path dir;
  private PartitionLog log;
  private MemoryRecords batch;
  private int batchBytes;

  /** Bytes appended; JMH reports it as a rate next to the batches/s score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
    }
  }

  @Setup(Level.Trial)
  public void openLog() {
    batch = Batches.batch(recordsPerBatch, compression, 42);
    batchBytes = batch.sizeInBytes();
    dir = TempDirs.create("ferry-jmh-append");
    // Segment files removed by truncation are deleted at once, without being flushed first.
    LogConfig config = LogConfig.defaults().with(Map.of(LogConfig.FILE_DELETE_DELAY_MS, "0"));
    log = PartitionLog.open(dir.resolve("append-0"), config, Time.SYSTEM, true, 0, 0);
  }

  @TearDown(Level.Iteration)
  public void emptyLog() {
    log.truncateTo(0);
  }

  @TearDown(Level.Trial)
  public void closeLog() {
    log.close();
    TempDirs.delete(dir);
  }

  @Benchmark
  public AppendResult append(Bytes counter) {
    AppendResult result = log.append(batch, 0);
    counter.bytes += batchBytes;
    return result;
  }
}
