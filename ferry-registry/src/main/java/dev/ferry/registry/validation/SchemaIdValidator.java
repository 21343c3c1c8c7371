package dev.ferry.registry.validation;

import dev.ferry.metadata.TopicMetadata;
import dev.ferry.registry.store.RegistryState;
import dev.ferry.server.produce.ProduceValidation;
import dev.ferry.server.produce.RecordValidator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * Broker-side schema validation (Confluent's topic configs {@code
 * confluent.value.schema.validation} and {@code confluent.key.schema.validation}): every record's
 * value (key) must start with the wire format's magic byte 0 and a 4-byte schema id registered
 * under the topic's subject ({@code <topic>-value} / {@code <topic>-key}, the TopicNameStrategy). A
 * null value or key (a tombstone, an unkeyed record) is let through.
 *
 * <p>Records are walked in the batch's bytes (v2 format) without creating a record object:
 * uncompressed batches in place, compressed ones after decompressing the batch once.
 */
public final class SchemaIdValidator implements RecordValidator {

  private static final int LENGTH_OFFSET = 8;
  private static final int MAGIC_OFFSET = 16;
  private static final int ATTRIBUTES_OFFSET = 21;
  private static final int COUNT_OFFSET = 57;
  private static final int RECORDS_OFFSET = 61;
  private static final int CONTROL_FLAG = 0x20;

  private final RegistryState state;

  public SchemaIdValidator(RegistryState state) {
    this.state = state;
  }

  @Override
  public boolean appliesTo(TopicMetadata topic) {
    return enabled(topic, ProduceValidation.VALUE_SCHEMA_VALIDATION)
        || enabled(topic, ProduceValidation.KEY_SCHEMA_VALIDATION);
  }

  private static boolean enabled(TopicMetadata topic, String config) {
    return "true".equalsIgnoreCase(topic.configs().get(config));
  }

  @Override
  public String check(TopicMetadata topic, MemoryRecords records) {
    String valueSubject =
        enabled(topic, ProduceValidation.VALUE_SCHEMA_VALIDATION) ? topic.name() + "-value" : null;
    String keySubject =
        enabled(topic, ProduceValidation.KEY_SCHEMA_VALIDATION) ? topic.name() + "-key" : null;
    ByteBuffer buf = records.buffer();
    int pos = buf.position();
    int end = buf.limit();
    while (pos + RECORDS_OFFSET <= end) {
      int batchEnd = pos + LENGTH_OFFSET + 4 + buf.getInt(pos + LENGTH_OFFSET);
      if (batchEnd > end || buf.get(pos + MAGIC_OFFSET) < 2) {
        return "Schema validation needs record batches of format v2";
      }
      short attributes = buf.getShort(pos + ATTRIBUTES_OFFSET);
      if ((attributes & CONTROL_FLAG) == 0) {
        int count = buf.getInt(pos + COUNT_OFFSET);
        CompressionType compression = CompressionType.forId(attributes & 0x07);
        String problem;
        if (compression == CompressionType.NONE) {
          problem =
              checkRecords(buf, pos + RECORDS_OFFSET, batchEnd, count, keySubject, valueSubject);
        } else {
          ByteBuffer plain = decompress(buf, pos + RECORDS_OFFSET, batchEnd, compression);
          problem =
              plain == null
                  ? "Cannot decompress a " + compression.name + " batch to validate its schema ids"
                  : checkRecords(plain, 0, plain.limit(), count, keySubject, valueSubject);
        }
        if (problem != null) {
          return problem;
        }
      }
      pos = batchEnd;
    }
    return null;
  }

  private String checkRecords(
      ByteBuffer b, int start, int end, int count, String keySubject, String valueSubject) {
    int[] cursor = {start};
    for (int i = 0; i < count; i++) {
      if (cursor[0] >= end) {
        return "Record " + i + " is truncated";
      }
      int length = Varints.readVarint(b, cursor);
      int recordEnd = cursor[0] + length;
      cursor[0]++; // attributes
      Varints.skipVarlong(b, cursor); // timestamp delta
      Varints.readVarint(b, cursor); // offset delta
      int keyLength = Varints.readVarint(b, cursor);
      int keyStart = cursor[0];
      if (keySubject != null
          && keyLength >= 0
          && !hasSchemaId(b, keyStart, keyLength, keySubject)) {
        return refusal(i, "key", keySubject);
      }
      cursor[0] = keyStart + Math.max(keyLength, 0);
      int valueLength = Varints.readVarint(b, cursor);
      if (valueSubject != null
          && valueLength >= 0
          && !hasSchemaId(b, cursor[0], valueLength, valueSubject)) {
        return refusal(i, "value", valueSubject);
      }
      if (recordEnd > end) {
        return "Record " + i + " is truncated";
      }
      cursor[0] = recordEnd;
    }
    return null;
  }

  private boolean hasSchemaId(ByteBuffer b, int at, int length, String subject) {
    return length >= 5 && b.get(at) == 0 && state.isRegistered(subject, b.getInt(at + 1));
  }

  private static String refusal(int index, String part, String subject) {
    return "Record "
        + index
        + " has no valid schema id in its "
        + part
        + ": it must start with magic byte 0 and the id of a schema registered under subject "
        + subject;
  }

  private static ByteBuffer decompress(
      ByteBuffer buf, int start, int end, CompressionType compression) {
    ByteBuffer compressed = buf.duplicate();
    compressed.position(start).limit(end);
    try (InputStream in =
        Compression.of(compression)
            .build()
            .wrapForInput(compressed.slice(), (byte) 2, BufferSupplier.NO_CACHING)) {
      return ByteBuffer.wrap(in.readAllBytes());
    } catch (IOException | RuntimeException | LinkageError e) {
      return null;
    }
  }
}
