package dev.ferry.tools.log;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;

/**
 * Reads a segment file batch by batch, read-only, and says where reading stopped if not at the
 * file's end: a corrupt batch header, or too few bytes for a whole batch (a torn write that the
 * broker's recovery would cut). Batches are streamed to a visitor, so a large file costs no more
 * memory than its largest batch.
 *
 * @param file the segment file
 * @param fileBytes its size
 * @param batches batches read (including those whose CRC did not match)
 * @param records records in them, by the batch headers' counts
 * @param firstOffset base offset of the first batch, or -1
 * @param lastOffset last offset of the last batch, or -1
 * @param damage what is wrong with the file, or null
 */
record SegmentFileScan(
    Path file,
    long fileBytes,
    long batches,
    long records,
    long firstOffset,
    long lastOffset,
    String damage) {

  /** Told of every batch in file order, with the result of its CRC check. */
  interface Visitor {
    void batch(FileChannelRecordBatch batch, boolean crcValid);
  }

  static SegmentFileScan of(Path file, Visitor visitor) {
    long fileBytes = -1;
    long batches = 0;
    long records = 0;
    long first = -1;
    long last = -1;
    String damage = null;
    int end = 0;
    try (FileRecords fileRecords = FileRecords.open(file.toFile(), false)) {
      fileBytes = fileRecords.sizeInBytes();
      for (FileChannelRecordBatch b : fileRecords.batches()) {
        boolean valid = b.isValid();
        if (!valid && damage == null) {
          damage = "CRC mismatch in the batch at position " + b.position();
        }
        visitor.batch(b, valid);
        batches++;
        Integer count = b.countOrNull();
        records += count == null ? 0 : count;
        first = first < 0 ? b.baseOffset() : first;
        last = b.lastOffset();
        end = b.position() + b.sizeInBytes();
      }
      if (damage == null && end < fileBytes) {
        damage =
            (fileBytes - end)
                + " bytes after the last whole batch, from position "
                + end
                + " (a torn write, or a corrupt batch header)";
      }
    } catch (IOException | KafkaException e) {
      damage = "unreadable after position " + end + ": " + e.getMessage();
    }
    return new SegmentFileScan(file, fileBytes, batches, records, first, last, damage);
  }

  /** One line: counts, offset range, damage. */
  String summary() {
    String counts = batches + " batches, " + records + " records";
    if (batches > 0) {
      counts += ", offsets " + firstOffset + ".." + lastOffset;
    }
    return damage == null ? counts + "." : counts + "; DAMAGED: " + damage + ".";
  }
}
