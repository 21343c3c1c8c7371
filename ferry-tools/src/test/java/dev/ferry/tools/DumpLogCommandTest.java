package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry dump-log} on segments written by Ferry's storage engine, intact and damaged. */
class DumpLogCommandTest {

  @TempDir Path dir;
  Path partition;
  Path segment;

  @BeforeEach
  void writeSegment() {
    partition = dir.resolve("orders-0");
    LogConfig config = LogConfig.fromMap(LogConfig.defaultValues());
    try (PartitionLog log = PartitionLog.open(partition, config, Time.SYSTEM, true)) {
      log.append(
          MemoryRecords.withRecords(
              Compression.NONE, record(1_000, "k1", "a"), record(1_001, null, "b")),
          2);
      log.append(
          MemoryRecords.withIdempotentRecords(
              Compression.NONE, 7L, (short) 1, 0, record(1_002, "k2", "c\nd")),
          2);
      log.append(
          MemoryRecords.withRecords(
              Compression.lz4().build(),
              record(1_003, null, "e"),
              record(1_004, null, "f"),
              record(1_005, null, "g")),
          3);
    }
    segment = partition.resolve("00000000000000000000.log");
  }

  private static SimpleRecord record(long ts, String key, String value) {
    return new SimpleRecord(
        ts,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void listsEveryBatchOfAPartitionDirectory() {
    Cli.Result r = Cli.run("dump-log", partition.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    List<String> lines = r.lines();
    assertThat(lines.get(0)).isEqualTo(segment.toString());
    assertThat(lines.get(1)).startsWith("BASE-OFFSET  LAST-OFFSET  COUNT  POSITION");
    assertThat(lines.get(2).split(" +")).startsWith("0", "1", "2", "0").contains("none", "ok");
    assertThat(lines.get(2).split(" +")[5]).as("leader epoch").isEqualTo("2");
    assertThat(lines.get(3).split(" +"))
        .startsWith("2", "2", "1")
        .contains("7/1", "0..0", "none", "1002", "ok");
    assertThat(lines.get(4).split(" +")).startsWith("3", "5", "3").contains("lz4", "1005", "ok");
    assertThat(lines.get(5)).isEqualTo("3 batches, 6 records, offsets 0..5.");
    assertThat(lines).hasSize(6);
  }

  @Test
  void printsRecordsWithKeysAndEscapedValues() {
    Cli.Result r = Cli.run("dump-log", "--records", segment.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.lines())
        .filteredOn(l -> l.startsWith("  offset"))
        .containsExactly(
            "  offset 0 timestamp 1000 key k1 value a headers 0",
            "  offset 1 timestamp 1001 key null value b headers 0",
            "  offset 2 timestamp 1002 key k2 value c\\u000ad headers 0",
            "  offset 3 timestamp 1003 key null value e headers 0",
            "  offset 4 timestamp 1004 key null value f headers 0",
            "  offset 5 timestamp 1005 key null value g headers 0");
    assertThat(r.lines())
        .filteredOn(l -> l.startsWith("batch 2..2"))
        .singleElement()
        .asString()
        .contains("producer 7/1 seq 0", "crc ok");
  }

  @Test
  void jsonLinesCarryTheProducerFieldsAndRecords() {
    Cli.Result r = Cli.run("dump-log", "-r", "-o", "json", segment.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    List<JsonNode> lines = r.jsonLines();
    assertThat(lines).hasSize(4);
    JsonNode idempotent = lines.get(1);
    assertThat(idempotent.get("producerId").asLong()).isEqualTo(7);
    assertThat(idempotent.get("producerEpoch").asInt()).isEqualTo(1);
    assertThat(idempotent.get("records").get(0).get("value").asText()).isEqualTo("c\\u000ad");
    assertThat(lines.get(2).get("compression").asText()).isEqualTo("lz4");
    assertThat(lines.get(3).get("records").asLong()).isEqualTo(6);
    assertThat(lines.get(3).get("damage").isNull()).isTrue();
  }

  @Test
  void aFlippedByteIsACrcMismatchWithExitCode1() throws Exception {
    long secondBatch =
        Cli.run("dump-log", "-o", "json", segment.toString())
            .jsonLines()
            .get(1)
            .get("position")
            .asLong();
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      // A byte of record data, which the CRC covers (unlike the offsets and leader epoch).
      ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xEE}), secondBatch + 70);
    }
    Cli.Result r = Cli.run("dump-log", segment.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.lines().get(2)).endsWith("ok");
    assertThat(r.lines().get(3)).endsWith("BAD");
    assertThat(r.lines().get(4)).endsWith("ok");
    assertThat(r.lines().get(5))
        .isEqualTo(
            "3 batches, 6 records, offsets 0..5; DAMAGED: CRC mismatch in the batch at position "
                + secondBatch
                + ".");
  }

  @Test
  void aTornTailIsReportedWithExitCode1() throws Exception {
    long size;
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      size = ch.size();
      ch.write(ByteBuffer.wrap(new byte[10]), size);
    }
    Cli.Result r = Cli.run("dump-log", partition.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.lines().get(r.lines().size() - 1))
        .isEqualTo(
            "3 batches, 6 records, offsets 0..5; DAMAGED: 10 bytes after the last whole batch,"
                + " from position "
                + size
                + " (a torn write, or a corrupt batch header).");
  }

  @Test
  void aMissingPathIsAnError() {
    Cli.Result r = Cli.run("dump-log", dir.resolve("nope").toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("ferry: error: cannot read").contains("no such file");
  }
}
