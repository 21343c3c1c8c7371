package dev.ferry.storage;

import dev.ferry.storage.index.OffsetIndex;
import dev.ferry.storage.index.TimeIndex;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.segment.SegmentFiles;

import dev.ferry.jmh.TempDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Lookup of a random key in a full offset index and a full time index of Kafka's default size
 * ({@code segment.index.bytes} = 10 MiB: 1,310,720 offset entries, 873,813 time entries), the
 * binary search over the memory-mapped file that starts every fetch and every ListOffsets by
 * timestamp. With {@code keys=uniform} the keys are spread over the whole index, so most probes
 * miss the CPU caches (a consumer far behind the head); with {@code keys=tail} they fall in the
 * last 1,024 entries (a caught-up consumer, the common case), where the deep probes stay cached.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class IndexLookupBenchmark {

  private static final int KEYS = 1 << 12;
  private static final long BASE_OFFSET = 1_000_000L;
  private static final long FIRST_TIMESTAMP = 1_700_000_000_000L;

  /** Offsets between two offset-index entries (one entry per few batches). */
  private static final int OFFSETS_PER_ENTRY = 7;

  /** Bytes between two entries: 1,310,720 entries must still fit int positions. */
  private static final int BYTES_PER_ENTRY = 1_500;

  /** Entries the {@code tail} keys fall in: the newest 8 KiB of the offset index. */
  private static final int TAIL_ENTRIES = 1_024;

  @Param({"10485760"})
  public int indexBytes;

  @Param({"uniform", "tail"})
  public String keys;

  private Path dir;
  private OffsetIndex offsetIndex;
  private TimeIndex timeIndex;
  private final long[] offsets = new long[KEYS];
  private final long[] timestamps = new long[KEYS];
  private int next;

  @Setup(Level.Trial)
  public void fillIndexes() throws IOException {
    dir = TempDirs.create("ferry-jmh-index");
    offsetIndex =
        new OffsetIndex(
            SegmentFiles.indexFile(dir, BASE_OFFSET), BASE_OFFSET, indexBytes, /* writable */ true);
    timeIndex =
        new TimeIndex(SegmentFiles.timeIndexFile(dir, BASE_OFFSET), BASE_OFFSET, indexBytes, true);
    for (int i = 0; !offsetIndex.isFull(); i++) {
      offsetIndex.append(BASE_OFFSET + (long) i * OFFSETS_PER_ENTRY, i * BYTES_PER_ENTRY);
    }
    for (int i = 0; !timeIndex.isFull(); i++) {
      timeIndex.maybeAppend(FIRST_TIMESTAMP + i, BASE_OFFSET + (long) i * OFFSETS_PER_ENTRY, false);
    }
    long offsetSpan = offsetIndex.lastOffset() - BASE_OFFSET + OFFSETS_PER_ENTRY;
    long timeSpan = timeIndex.lastTimestamp() - FIRST_TIMESTAMP + 1;
    boolean tail = "tail".equals(keys);
    long offsetFrom = tail ? offsetSpan - (long) TAIL_ENTRIES * OFFSETS_PER_ENTRY : 0;
    long timeFrom = tail ? timeSpan - TAIL_ENTRIES : 0;
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < KEYS; i++) {
      offsets[i] = BASE_OFFSET + random.nextLong(offsetFrom, offsetSpan);
      timestamps[i] = FIRST_TIMESTAMP + random.nextLong(timeFrom, timeSpan);
    }
  }

  @TearDown(Level.Trial)
  public void deleteIndexes() throws IOException {
    offsetIndex.close();
    timeIndex.close();
    TempDirs.delete(dir);
  }

  @Benchmark
  public int offsetIndexLookup() {
    return offsetIndex.lookup(offsets[next++ & (KEYS - 1)]);
  }

  @Benchmark
  public long timeIndexLookup() {
    return timeIndex.lookup(timestamps[next++ & (KEYS - 1)]);
  }
}
