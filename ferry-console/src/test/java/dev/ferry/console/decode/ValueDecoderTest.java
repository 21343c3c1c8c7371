package dev.ferry.console.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.console.decode.ValueDecoder.Decoded;
import dev.ferry.console.decode.ValueDecoder.Format;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** How record bytes are shown, with a fake registry behind {@link SchemaLookup}. */
class ValueDecoderTest {

  private static final String AVRO =
      "{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"}]}";

  private final Map<Integer, SchemaLookup.RegisteredSchema> registry =
      Map.of(
          7, new SchemaLookup.RegisteredSchema("AVRO", AVRO),
          8, new SchemaLookup.RegisteredSchema("JSON", "{\"type\":\"object\"}"),
          9, new SchemaLookup.RegisteredSchema("PROTOBUF", "syntax = \"proto3\";"));
  private final ValueDecoder decoder =
      new ValueDecoder((id, who) -> Optional.ofNullable(registry.get(id)), 100);

  @Test
  void autoPicksJsonThenTextThenHex() {
    assertThat(decoder.decode(utf8("{\"a\":1}"), Format.AUTO, null))
        .isEqualTo(new Decoded("json", "{\n  \"a\" : 1\n}", null, 7, false));
    assertThat(decoder.decode(utf8("plain <b>text</b>"), Format.AUTO, null))
        .isEqualTo(new Decoded("text", "plain <b>text</b>", null, 17, false));
    assertThat(decoder.decode(new byte[] {1, 2, (byte) 0xff}, Format.AUTO, null))
        .isEqualTo(new Decoded("hex", "0102ff", null, 3, false));
    assertThat(decoder.decode(utf8("{not json"), Format.AUTO, null).format()).isEqualTo("text");
    assertThat(decoder.decode(null, Format.AUTO, null))
        .isEqualTo(new Decoded("null", null, null, 0, false));
  }

  @Test
  void askedFormatsWin() {
    assertThat(decoder.decode(utf8("{\"a\":1}"), Format.HEX, null).text())
        .isEqualTo("7b2261223a317d");
    assertThat(decoder.decode(utf8("{\"a\":1}"), Format.TEXT, null).text()).isEqualTo("{\"a\":1}");
    assertThat(decoder.decode(utf8("no json"), Format.JSON, null))
        .isEqualTo(new Decoded("text", "no json", null, 7, false));
  }

  @Test
  void registryWireFormatIsDecodedWithTheSchema() throws Exception {
    Schema schema = new Schema.Parser().parse(AVRO);
    GenericRecord user = new GenericData.Record(schema);
    user.put("name", "ada");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(wire(7));
    BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(user, e);
    e.flush();
    assertThat(decoder.decode(out.toByteArray(), Format.AUTO, null))
        .isEqualTo(new Decoded("avro", "{\n  \"name\" : \"ada\"\n}", 7, 9, false));

    byte[] json = concat(wire(8), utf8("{\"b\":2}"));
    assertThat(decoder.decode(json, Format.AUTO, null))
        .isEqualTo(new Decoded("json-schema", "{\n  \"b\" : 2\n}", 8, 12, false));

    byte[] proto = concat(wire(9), new byte[] {0, 8, 1});
    assertThat(decoder.decode(proto, Format.AUTO, null))
        .isEqualTo(new Decoded("protobuf", "000801", 9, 8, false));
  }

  @Test
  void unknownSchemaIdsAndBadPayloadsFallBack() {
    // Id 5 is not registered: plain hex, no schema claimed.
    assertThat(decoder.decode(concat(wire(5), new byte[] {1}), Format.AUTO, null))
        .isEqualTo(new Decoded("hex", "000000000501", null, 6, false));
    // Id 7 is Avro, but the bytes are no record of it (a string length past the end).
    Decoded bad = decoder.decode(concat(wire(7), new byte[] {(byte) 0x7f}), Format.AUTO, null);
    assertThat(bad.format()).isEqualTo("hex");
    assertThat(bad.schemaId()).isNull();
  }

  @Test
  void longValuesAreCutAtTheBound() {
    Decoded text = decoder.decode(utf8("x".repeat(250)), Format.AUTO, null);
    assertThat(text.text()).hasSize(100);
    assertThat(text.truncated()).isTrue();
    assertThat(text.size()).isEqualTo(250);
    Decoded hex = decoder.decode(new byte[80], Format.HEX, null);
    assertThat(hex.text()).hasSize(100);
    assertThat(hex.truncated()).isTrue();
  }

  private static byte[] wire(int id) {
    return ByteBuffer.allocate(5).put((byte) 0).putInt(id).array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
