package dev.ferry.jmh;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Record batches as a producer sends them: magic v2, CreateTime, no key, not idempotent, values of
 * log-like text (so lz4 compresses them about as much as real application logs, not 100% or 0%).
 * Deterministic: the same arguments always give the same bytes.
 */
public final class Batches {

  /** Record value size used throughout, as in the paper's producer test (bench/ workload 1). */
  public static final int VALUE_BYTES = 200;

  private static final String[] LEVELS = {"INFO", "INFO", "INFO", "DEBUG", "WARN"};
  private static final String[] LOGGERS = {
    "o.e.shop.CheckoutService", "o.e.shop.CartController", "o.e.auth.TokenFilter", "o.e.db.Pool"
  };
  private static final String[] EVENTS = {
    "request completed", "cache miss for key", "order placed", "token refreshed", "slow query"
  };

  private Batches() {}

  /** {@code "none"} or a codec name Kafka knows ({@code "lz4"}, {@code "zstd"}, ...). */
  public static Compression compression(String name) {
    return "none".equals(name) ? Compression.NONE : Compression.of(name).build();
  }

  /**
   * One batch of {@code records} values of {@link #VALUE_BYTES} bytes, base offset 0. Its buffer is
   * exactly the batch (position 0, limit = size), ready for {@code PartitionLog.append}.
   */
  public static MemoryRecords batch(int records, String compression, long seed) {
    Random random = new Random(seed);
    ByteBuffer out = ByteBuffer.allocate(records * (VALUE_BYTES + 32) + 1024);
    MemoryRecordsBuilder builder =
        MemoryRecords.builder(
            out,
            RecordBatch.MAGIC_VALUE_V2,
            compression(compression),
            TimestampType.CREATE_TIME,
            0L);
    for (int i = 0; i < records; i++) {
      builder.append(1_700_000_000_000L + i, null, logLine(random));
    }
    return copyOf(builder.build());
  }

  /**
   * Back-to-back batches of {@code recordsPerBatch} records, about {@code bytes} in all: one append
   * of it fills a log quickly with the same layout as appending the batches one by one.
   */
  public static MemoryRecords chunk(int recordsPerBatch, String compression, int bytes) {
    MemoryRecords first = batch(recordsPerBatch, compression, 0);
    int count = Math.max(1, bytes / first.sizeInBytes());
    ByteBuffer out = ByteBuffer.allocate(count * first.sizeInBytes() + 4096);
    for (int i = 0; i < count; i++) {
      out.put(batch(recordsPerBatch, compression, i).buffer().duplicate());
    }
    out.flip();
    return MemoryRecords.readableRecords(out);
  }

  private static MemoryRecords copyOf(MemoryRecords built) {
    ByteBuffer src = built.buffer().duplicate();
    ByteBuffer copy = ByteBuffer.allocate(src.remaining());
    copy.put(src).flip();
    return MemoryRecords.readableRecords(copy);
  }

  /** A log line of exactly {@link #VALUE_BYTES} ASCII bytes. */
  static byte[] logLine(Random random) {
    StringBuilder sb = new StringBuilder(VALUE_BYTES + 64);
    sb.append(
        String.format(
            "2025-03-%02dT%02d:%02d:%02d.%03dZ %-5s [worker-%d] %s - %s",
            1 + random.nextInt(28),
            random.nextInt(24),
            random.nextInt(60),
            random.nextInt(60),
            random.nextInt(1000),
            LEVELS[random.nextInt(LEVELS.length)],
            random.nextInt(16),
            LOGGERS[random.nextInt(LOGGERS.length)],
            EVENTS[random.nextInt(EVENTS.length)]));
    while (sb.length() < VALUE_BYTES) {
      switch (random.nextInt(4)) {
        case 0 -> sb.append(" user=u").append(10_000 + random.nextInt(90_000));
        case 1 -> sb.append(" latencyMs=").append(random.nextInt(500));
        case 2 -> sb.append(" region=eu-west-").append(1 + random.nextInt(3));
        default -> sb.append(" trace=").append(Long.toHexString(random.nextLong()));
      }
    }
    sb.setLength(VALUE_BYTES);
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
