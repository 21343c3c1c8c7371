package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Builds produce-request batches with kafka-clients and decodes what the log returns. */
final class Batches {

  private Batches() {}

  /** One uncompressed batch of {@code count} records "prefix-i", timestamps {@code ts}. */
  static MemoryRecords batch(String prefix, int count, long ts) {
    return batch(Compression.NONE, prefix, count, ts);
  }

  static MemoryRecords batch(Compression compression, String prefix, int count, long ts) {
    return MemoryRecords.withRecords(compression, records(prefix, count, ts));
  }

  static SimpleRecord[] records(String prefix, int count, long ts) {
    SimpleRecord[] recs = new SimpleRecord[count];
    for (int i = 0; i < count; i++) {
      recs[i] =
          new SimpleRecord(
              ts,
              ("k" + i).getBytes(StandardCharsets.UTF_8),
              (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
    }
    return recs;
  }

  /** A batch with per-record timestamps {@code timestamps[i]}. */
  static MemoryRecords withTimestamps(String prefix, long... timestamps) {
    SimpleRecord[] recs = new SimpleRecord[timestamps.length];
    for (int i = 0; i < timestamps.length; i++) {
      recs[i] =
          new SimpleRecord(
              timestamps[i], null, (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withRecords(Compression.NONE, recs);
  }

  static MemoryRecords idempotent(long pid, short epoch, int baseSeq, String prefix, int count) {
    return MemoryRecords.withIdempotentRecords(
        Compression.NONE, pid, epoch, baseSeq, records(prefix, count, 1_000L));
  }

  /** Several batches in one buffer, as a produce request with multiple batches would carry. */
  static MemoryRecords concat(MemoryRecords... parts) {
    int size = 0;
    for (MemoryRecords p : parts) {
      size += p.sizeInBytes();
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    for (MemoryRecords p : parts) {
      buf.put(p.buffer().duplicate());
    }
    buf.flip();
    return MemoryRecords.readableRecords(buf);
  }

  /** A batch whose payload makes it roughly {@code bytes} long. */
  static MemoryRecords sized(String prefix, int bytes, long ts) {
    ByteBuffer buf = ByteBuffer.allocate(bytes + 200);
    MemoryRecordsBuilder b =
        MemoryRecords.builder(buf, Compression.NONE, TimestampType.CREATE_TIME, 0L);
    byte[] value = new byte[Math.max(1, bytes - 80)];
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(p, 0, value, 0, Math.min(p.length, value.length));
    b.append(new SimpleRecord(ts, null, value));
    return b.build();
  }

  /** A decoded record: offset, timestamp and value as text. */
  record Rec(long offset, long timestamp, String value) {}

  static List<Rec> decode(Records records) {
    List<Rec> out = new ArrayList<>();
    for (RecordBatch batch : records.batches()) {
      batch.ensureValid();
      for (Record r : batch) {
        String v = r.value() == null ? null : StandardCharsets.UTF_8.decode(r.value()).toString();
        out.add(new Rec(r.offset(), r.timestamp(), v));
      }
    }
    return out;
  }

  static List<Long> offsets(Records records) {
    return decode(records).stream().map(Rec::offset).toList();
  }

  static List<String> values(Records records) {
    return decode(records).stream().map(Rec::value).toList();
  }

  /** Base offsets of the (whole) batches in {@code records}, checking none is partial. */
  static List<Long> batchBases(Records records) {
    List<Long> bases = new ArrayList<>();
    int total = 0;
    for (RecordBatch b : records.batches()) {
      bases.add(b.baseOffset());
      total += b.sizeInBytes();
    }
    assertThat(total).as("only whole batches").isEqualTo(records.sizeInBytes());
    return bases;
  }
}
