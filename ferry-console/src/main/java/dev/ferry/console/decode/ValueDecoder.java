package dev.ferry.console.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.console.kafka.Credentials;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Turns a record's key or value bytes into text for the message browser: decoded through the schema
 * registry when they start with the wire format's magic byte and a known schema id, else JSON
 * (pretty-printed), UTF-8 text, or hex, as asked or as the bytes look. The text is cut at a bound
 * so a huge record cannot blow up the page; the browser renders it as text, never as HTML.
 */
public final class ValueDecoder {

  /** What the user asked for; AUTO picks the first that fits: registry, JSON, text, hex. */
  public enum Format {
    AUTO,
    JSON,
    TEXT,
    HEX;

    public static Format parse(String s) {
      if (s == null || s.isEmpty()) {
        return AUTO;
      }
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return AUTO;
      }
    }
  }

  /**
   * @param format how it is shown: null (no bytes), json, text, hex, avro, json-schema, protobuf
   * @param schemaId the registry schema id, when the bytes carry one that the registry knows
   * @param size the bytes' length
   * @param truncated whether {@code text} was cut at the bound
   */
  public record Decoded(
      String format, String text, Integer schemaId, int size, boolean truncated) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** JSON larger than this is not parsed for pretty-printing (shown as text). */
  private static final int MAX_JSON_PARSE_BYTES = 1024 * 1024;

  private final SchemaLookup schemas;
  private final int maxChars;

  public ValueDecoder(SchemaLookup schemas, int maxChars) {
    this.schemas = schemas;
    this.maxChars = maxChars;
  }

  public Decoded decode(byte[] bytes, Format format, Credentials who) {
    if (bytes == null) {
      return new Decoded("null", null, null, 0, false);
    }
    switch (format) {
      case HEX:
        return hex(bytes, 0, "hex", null);
      case TEXT:
        return text(new String(bytes, StandardCharsets.UTF_8), "text", bytes.length, null);
      case JSON:
        {
          Optional<String> json = prettyJson(bytes, 0);
          return json.isPresent()
              ? text(json.get(), "json", bytes.length, null)
              : text(new String(bytes, StandardCharsets.UTF_8), "text", bytes.length, null);
        }
      default:
        break;
    }
    Decoded viaRegistry = viaRegistry(bytes, who);
    if (viaRegistry != null) {
      return viaRegistry;
    }
    Optional<String> utf8 = utf8(bytes, 0);
    if (utf8.isPresent()) {
      String s = utf8.get();
      String trimmed = s.stripLeading();
      if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        Optional<String> json = prettyJson(bytes, 0);
        if (json.isPresent()) {
          return text(json.get(), "json", bytes.length, null);
        }
      }
      if (printable(s)) {
        return text(s, "text", bytes.length, null);
      }
    }
    return hex(bytes, 0, "hex", null);
  }

  /** Confluent's wire format: magic byte 0, a big-endian 4-byte schema id, then the payload. */
  private Decoded viaRegistry(byte[] bytes, Credentials who) {
    if (bytes.length < 5 || bytes[0] != 0) {
      return null;
    }
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    Optional<SchemaLookup.RegisteredSchema> schema = schemas.byId(id, who);
    if (schema.isEmpty()) {
      return null;
    }
    String type = schema.get().type().toUpperCase(Locale.ROOT);
    try {
      switch (type) {
        case "AVRO":
          {
            Schema avro = new Schema.Parser().parse(schema.get().text());
            BinaryDecoder in = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
            Object datum = new GenericDatumReader<Object>(avro).read(null, in);
            String s = GenericData.get().toString(datum);
            Optional<String> pretty = prettyJson(s.getBytes(StandardCharsets.UTF_8), 0);
            return text(pretty.orElse(s), "avro", bytes.length, id);
          }
        case "JSON":
          {
            Optional<String> pretty = prettyJson(bytes, 5);
            if (pretty.isPresent()) {
              return text(pretty.get(), "json-schema", bytes.length, id);
            }
            return null;
          }
        default:
          // Protobuf payloads start with message indexes; without the message types at hand the
          // bytes are shown as they are, with the schema they were written with named.
          return hex(bytes, 5, "protobuf", id);
      }
    } catch (Exception | StackOverflowError e) {
      // Not really in the wire format (or a schema the bytes do not match): show it plainly.
      return null;
    }
  }

  private Decoded text(String s, String format, int size, Integer schemaId) {
    boolean cut = s.length() > maxChars;
    return new Decoded(format, cut ? s.substring(0, maxChars) : s, schemaId, size, cut);
  }

  /** Hex of the bytes from {@code from} on; the size stays the whole record's. */
  private Decoded hex(byte[] bytes, int from, String format, Integer schemaId) {
    int end = Math.min(bytes.length, from + maxChars / 2);
    String s = HexFormat.of().formatHex(bytes, from, end);
    return new Decoded(format, s, schemaId, bytes.length, end < bytes.length);
  }

  private static Optional<String> prettyJson(byte[] bytes, int offset) {
    if (bytes.length - offset > MAX_JSON_PARSE_BYTES) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(bytes, offset, bytes.length - offset);
      if (node == null || node.isMissingNode()) {
        return Optional.empty();
      }
      return Optional.of(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> utf8(byte[] bytes, int offset) {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, offset, bytes.length - offset));
      return Optional.of(chars.toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** Text without control characters other than tab, newline and carriage return. */
  private static boolean printable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        return false;
      }
      if (c == 0x7f) {
        return false;
      }
    }
    return true;
  }
}
