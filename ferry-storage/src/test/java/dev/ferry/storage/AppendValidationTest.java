package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.segment.BatchHeader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendValidationTest {

  @TempDir Path tmp;
  private PartitionLog log;

  @BeforeEach
  void open() {
    log =
        PartitionLog.open(
            tmp.resolve("v-0"),
            LogTestSupport.config(Map.of(LogConfig.MAX_MESSAGE_BYTES, "2000")),
            Time.SYSTEM,
            true);
    log.append(Batches.batch("ok", 2, 1), 0);
  }

  @AfterEach
  void close() {
    log.close();
  }

  private void assertNothingAppended() throws Exception {
    assertThat(log.logEndOffset()).isEqualTo(2);
    assertThat(Files.size(LogTestSupport.segmentLog(log.dir(), 0))).isEqualTo(log.sizeInBytes());
    assertThat(Batches.values(log.read(0, 1 << 20, Long.MAX_VALUE, false).records()))
        .containsExactly("ok-0", "ok-1");
  }

  private static MemoryRecords flip(MemoryRecords records, int position) {
    ByteBuffer b = records.buffer();
    b.put(position, (byte) (b.get(position) ^ 0x40));
    return records;
  }

  @Test
  void corruptCrcIsRejectedAndNothingIsAppended() throws Exception {
    MemoryRecords good = Batches.batch("g", 2, 1);
    MemoryRecords bad = flip(Batches.batch("b", 2, 1), 70); // inside the records
    assertThatThrownBy(() -> log.append(Batches.concat(good, bad), 0))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("CRC");
    assertNothingAppended();
  }

  @Test
  void flippedByteInACompressedBatchIsDetectedWithoutDecompressing() throws Exception {
    MemoryRecords z = Batches.batch(Compression.of(CompressionType.ZSTD).build(), "z", 20, 1);
    flip(z, z.sizeInBytes() - 5);
    assertThatThrownBy(() -> log.append(z, 0)).isInstanceOf(CorruptRecordException.class);
    assertNothingAppended();
  }

  @Test
  void batchOverMaxMessageBytesIsRejected() throws Exception {
    MemoryRecords big = Batches.sized("big", 3000, 1);
    assertThatThrownBy(() -> log.append(Batches.concat(Batches.batch("g", 1, 1), big), 0))
        .isInstanceOf(RecordTooLargeException.class)
        .hasMessageContaining("max.message.bytes");
    assertNothingAppended();
  }

  @Test
  void malformedHeadersAreRejected() throws Exception {
    MemoryRecords countMismatch = Batches.batch("c", 3, 1);
    countMismatch.buffer().putInt(BatchHeader.RECORDS_COUNT, 5); // outside... CRC covers it
    assertThatThrownBy(() -> log.append(countMismatch, 0))
        .isInstanceOf(CorruptRecordException.class);

    MemoryRecords partial = Batches.batch("p", 3, 1);
    ByteBuffer cut = partial.buffer().duplicate();
    cut.limit(cut.limit() - 4);
    assertThatThrownBy(() -> log.append(MemoryRecords.readableRecords(cut.slice()), 0))
        .isInstanceOf(CorruptRecordException.class);

    MemoryRecords trailing =
        MemoryRecords.readableRecords(
            ByteBuffer.allocate(Batches.batch("t", 1, 1).sizeInBytes() + 30)
                .put(Batches.batch("t", 1, 1).buffer())
                .position(0));
    assertThatThrownBy(() -> log.append(trailing, 0)).isInstanceOf(CorruptRecordException.class);
    assertNothingAppended();
  }

  @Test
  void oldMagicAndClientMarkersAreRejected() throws Exception {
    MemoryRecords v1 =
        MemoryRecords.withRecords(
            RecordBatch.MAGIC_VALUE_V1, Compression.NONE, Batches.records("old", 2, 1));
    assertThatThrownBy(() -> log.append(v1, 0)).isInstanceOf(InvalidRecordException.class);

    MemoryRecords marker =
        MemoryRecords.withEndTransactionMarker(
            0L, 0L, 0, 42L, (short) 0, new EndTransactionMarker(ControlRecordType.COMMIT, 0));
    assertThatThrownBy(() -> log.append(marker, 0))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("control records");
    assertNothingAppended();
  }

  @Test
  void emptyAppendWritesNothing() throws Exception {
    AppendResult r = log.append(MemoryRecords.EMPTY, 0);
    assertThat(r.firstOffset()).isEqualTo(-1);
    assertNothingAppended();
  }
}
