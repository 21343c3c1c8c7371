package dev.ferry.storage;

import dev.ferry.storage.segment.BatchHeader;

import dev.ferry.jmh.Batches;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.apache.kafka.common.record.internal.MemoryRecords;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link BatchValidator#validate} of one produced batch (header checks, then CRC32C through the
 * codec's batch view), next to the bare CRC32C of the same bytes: the difference is what the
 * validator adds on top of the checksum the JDK computes with a CPU instruction.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BatchValidatorBenchmark {

  /** The CRC covers the batch from its attributes field to the end. */
  private static final int CRC_START = BatchHeader.ATTRIBUTES;

  @Param({"50"})
  public int recordsPerBatch;

  @Param({"none", "lz4"})
  public String compression;

  private MemoryRecords batch;
  private final CRC32C crc = new CRC32C();

  @Setup(Level.Trial)
  public void buildBatch() {
    batch = Batches.batch(recordsPerBatch, compression, 42);
  }

  @Benchmark
  public BatchValidator.Validated validate() {
    return BatchValidator.validate(batch, Integer.MAX_VALUE);
  }

  @Benchmark
  public long crc32cOnly() {
    ByteBuffer b = batch.buffer().duplicate();
    b.position(b.position() + CRC_START);
    crc.reset();
    crc.update(b);
    return crc.getValue();
  }
}
