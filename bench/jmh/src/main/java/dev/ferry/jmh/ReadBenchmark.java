package dev.ferry.jmh;

import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import dev.ferry.storage.ReadResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
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
 * The fetch path's storage half: {@link PartitionLog#read} of a random offset with a max bytes of 1
 * MiB (offset index lookup, batch-header reads to find the first batch and the last whole batch
 * that fits, a {@code FileRecords} slice), alone and followed by what the broker then does with the
 * slice: send it zero-copy ({@code transferTo}, here into /dev/null). {@code readAndCopy} copies
 * the slice into a direct buffer instead, the cost zero-copy avoids.
 *
 * <p>The log (256 MiB of uncompressed 200-byte records, one segment, index every 4 KiB as in
 * Kafka's defaults) is written once per trial and stays in the page cache: this measures the
 * broker's CPU cost per fetch, not the disk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReadBenchmark {

  private static final int OFFSETS = 1 << 12;

  @Param({"1", "50"})
  public int recordsPerBatch;

  @Param({"1048576"})
  public int maxBytes;

  @Param({"268435456"})
  public long logBytes;

  private Path dir;
  private PartitionLog log;
  private DevNullChannel sink;
  private ByteBuffer copyBuffer;
  private final long[] offsets = new long[OFFSETS];
  private int next;

  @Setup(Level.Trial)
  public void fillLog() throws IOException {
    dir = TempDirs.create("ferry-jmh-read");
    // Truncation at the end deletes the segment at once, so closing does not fsync 256 MiB.
    LogConfig config = LogConfig.defaults().with(Map.of(LogConfig.FILE_DELETE_DELAY_MS, "0"));
    log = PartitionLog.open(dir.resolve("read-0"), config, Time.SYSTEM, true, 0, 0);
    MemoryRecords chunk = Batches.chunk(recordsPerBatch, "none", 1 << 20);
    while (log.sizeInBytes() < logBytes) {
      log.append(chunk, 0);
    }
    log.updateHighWatermark(log.logEndOffset());
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < OFFSETS; i++) {
      offsets[i] = random.nextLong(log.logEndOffset());
    }
    sink = new DevNullChannel();
    copyBuffer = ByteBuffer.allocateDirect(maxBytes);
  }

  @TearDown(Level.Trial)
  public void deleteLog() throws IOException {
    sink.close();
    log.truncateTo(0);
    log.close();
    TempDirs.delete(dir);
  }

  private long nextOffset() {
    return offsets[next++ & (OFFSETS - 1)];
  }

  private ReadResult readRandom() {
    return log.read(nextOffset(), maxBytes, log.highWatermark(), true);
  }

  @Benchmark
  public ReadResult read() {
    return readRandom();
  }

  @Benchmark
  public long readAndTransferTo() throws IOException {
    Records records = readRandom().records();
    int size = records.sizeInBytes();
    long sent = 0;
    while (sent < size) {
      sent += records.writeTo(sink, (int) sent, (int) (size - sent));
    }
    return sent;
  }

  @Benchmark
  public int readAndCopy() throws IOException {
    FileRecords records = (FileRecords) readRandom().records();
    copyBuffer.clear();
    copyBuffer.limit(records.sizeInBytes());
    records.readInto(copyBuffer, 0);
    return copyBuffer.remaining();
  }
}
