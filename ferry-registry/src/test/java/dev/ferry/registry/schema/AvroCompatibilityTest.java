package dev.ferry.registry.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility levels over Avro, table-driven from Avro's schema resolution rules (the
 * specification's "Schema Resolution": defaults fill missing fields, promotions int→long→float→
 * double and string↔bytes, enum symbols, unions, aliases). Each row: an old schema, a new one, and
 * whether the change is BACKWARD (new reads old) and FORWARD (old reads new) compatible; FULL must
 * be both, NONE always passes.
 */
class AvroCompatibilityTest {

  static String record(String fields) {
    return "{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + fields + "]}";
  }

  static final String A = "{\"name\":\"a\",\"type\":\"string\"}";
  static final String B = "{\"name\":\"b\",\"type\":\"int\"}";
  static final String B_DEFAULT = "{\"name\":\"b\",\"type\":\"int\",\"default\":0}";

  static Stream<Arguments> rules() {
    return Stream.of(
        // name, old, new, backward, forward
        Arguments.of(
            "add a field with a default", record(A), record(A + "," + B_DEFAULT), true, true),
        Arguments.of("add a field without a default", record(A), record(A + "," + B), false, true),
        Arguments.of(
            "remove a field with a default", record(A + "," + B_DEFAULT), record(A), true, true),
        Arguments.of(
            "remove a field without a default", record(A + "," + B), record(A), true, false),
        Arguments.of("promote int to long", "\"int\"", "\"long\"", true, false),
        Arguments.of("promote long to double", "\"long\"", "\"double\"", true, false),
        Arguments.of("narrow long to int", "\"long\"", "\"int\"", false, true),
        Arguments.of("string to bytes", "\"string\"", "\"bytes\"", true, true),
        Arguments.of("string to int", "\"string\"", "\"int\"", false, false),
        Arguments.of(
            "add an enum symbol",
            "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"X\",\"Y\"]}",
            "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"X\",\"Y\",\"Z\"]}",
            true,
            false),
        Arguments.of(
            "add an enum symbol with an enum default",
            "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"X\",\"Y\"],\"default\":\"X\"}",
            "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"X\",\"Y\",\"Z\"],\"default\":\"X\"}",
            true,
            true),
        Arguments.of("widen to a union", "\"string\"", "[\"null\",\"string\"]", true, false),
        Arguments.of(
            "rename a field with an alias",
            record(A),
            record("{\"name\":\"a2\",\"type\":\"string\",\"aliases\":[\"a\"]}"),
            true,
            false),
        Arguments.of(
            "rename a field without an alias",
            record(A),
            record("{\"name\":\"a2\",\"type\":\"string\"}"),
            false,
            false),
        Arguments.of(
            "rename the record",
            record(A),
            "{\"type\":\"record\",\"name\":\"S\",\"fields\":[" + A + "]}",
            false,
            false),
        Arguments.of(
            "change a field's type incompatibly",
            record(B),
            record("{\"name\":\"b\",\"type\":\"string\"}"),
            false,
            false),
        Arguments.of(
            "array items promoted",
            "{\"type\":\"array\",\"items\":\"int\"}",
            "{\"type\":\"array\",\"items\":\"long\"}",
            true,
            false),
        Arguments.of("unchanged", record(A + "," + B), record(A + "," + B), true, true));
  }

  static ParsedSchema avro(String s) {
    return SchemaParser.parse(SchemaType.AVRO, s, List.of());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void levels(String name, String oldSchema, String newSchema, boolean backward, boolean forward) {
    List<ParsedSchema> previous = List.of(avro(oldSchema));
    ParsedSchema candidate = avro(newSchema);
    assertThat(CompatibilityLevel.BACKWARD.check(candidate, previous).isEmpty())
        .isEqualTo(backward);
    assertThat(CompatibilityLevel.FORWARD.check(candidate, previous).isEmpty()).isEqualTo(forward);
    assertThat(CompatibilityLevel.FULL.check(candidate, previous).isEmpty())
        .isEqualTo(backward && forward);
    assertThat(CompatibilityLevel.NONE.check(candidate, previous)).isEmpty();
  }

  @Test
  void transitiveLevelsCheckEveryVersionTheOthersOnlyTheLatest() {
    // v1 -> v2 adds b with a default, v3 drops b's default: v3 reads v2 data, not v1 data.
    List<ParsedSchema> history = List.of(avro(record(A)), avro(record(A + "," + B_DEFAULT)));
    ParsedSchema v3 = avro(record(A + "," + B));
    assertThat(CompatibilityLevel.BACKWARD.check(v3, history)).isEmpty();
    assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.check(v3, history))
        .singleElement()
        .asString()
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
    assertThat(CompatibilityLevel.FULL_TRANSITIVE.check(v3, history)).isNotEmpty();
    // Forward: v1 data readers against v3 (which removes nothing v1 needs) pass transitively.
    assertThat(CompatibilityLevel.FORWARD_TRANSITIVE.check(v3, history)).isEmpty();
  }

  @Test
  void levelNamesParseInAnyCase() {
    assertThat(CompatibilityLevel.parse("backward_transitive"))
        .isEqualTo(CompatibilityLevel.BACKWARD_TRANSITIVE);
    assertThat(CompatibilityLevel.parse("Full")).isEqualTo(CompatibilityLevel.FULL);
    assertThat(CompatibilityLevel.parse("SIDEWAYS")).isNull();
  }
}
