package dev.ferry.registry.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Ferry's JSON Schema and Protobuf rules for the common cases (docs/schema-registry.md). */
class JsonAndProtobufCompatibilityTest {

  static String obj(String props, String required, String extra) {
    return "{\"type\":\"object\",\"properties\":{"
        + props
        + "},\"required\":["
        + required
        + "]"
        + extra
        + "}";
  }

  static final String ID = "\"id\":{\"type\":\"string\"}";
  static final String N = "\"n\":{\"type\":\"integer\"}";

  static Stream<Arguments> json() {
    return Stream.of(
        Arguments.of(
            "add an optional property",
            obj(ID, "\"id\"", ""),
            obj(ID + "," + N, "\"id\"", ""),
            true,
            true),
        Arguments.of(
            "add a required property",
            obj(ID, "\"id\"", ""),
            obj(ID + "," + N, "\"id\",\"n\"", ""),
            false,
            true),
        Arguments.of(
            "make a property optional",
            obj(ID + "," + N, "\"id\",\"n\"", ""),
            obj(ID + "," + N, "\"id\"", ""),
            true,
            false),
        Arguments.of(
            "integer widened to number",
            obj(N, "", ""),
            obj("\"n\":{\"type\":\"number\"}", "", ""),
            true,
            false),
        Arguments.of(
            "type changed",
            obj(N, "", ""),
            obj("\"n\":{\"type\":\"string\"}", "", ""),
            false,
            false),
        Arguments.of(
            "property removed from a closed model",
            obj(ID + "," + N, "", ",\"additionalProperties\":false"),
            obj(ID, "", ",\"additionalProperties\":false"),
            false,
            true),
        Arguments.of(
            "enum extended",
            "{\"enum\":[\"a\",\"b\"]}",
            "{\"enum\":[\"a\",\"b\",\"c\"]}",
            true,
            false),
        Arguments.of(
            "maxLength tightened",
            "{\"type\":\"string\",\"maxLength\":10}",
            "{\"type\":\"string\",\"maxLength\":5}",
            false,
            true));
  }

  @ParameterizedTest(name = "JSON: {0}")
  @MethodSource("json")
  void jsonSchema(
      String name, String oldSchema, String newSchema, boolean backward, boolean forward) {
    check(SchemaType.JSON, oldSchema, newSchema, backward, forward);
  }

  static String proto(String body) {
    return "syntax = \"proto3\";\npackage ex;\nmessage M {\n" + body + "\n}\n";
  }

  static Stream<Arguments> protobuf() {
    return Stream.of(
        Arguments.of(
            "add a field", proto("string a = 1;"), proto("string a = 1; int32 b = 2;"), true, true),
        Arguments.of(
            "remove a field",
            proto("string a = 1; int32 b = 2;"),
            proto("string a = 1;"),
            true,
            true),
        Arguments.of(
            "int32 to int64 (same wire type)",
            proto("int32 a = 1;"),
            proto("int64 a = 1;"),
            true,
            true),
        Arguments.of("string to bytes", proto("string a = 1;"), proto("bytes a = 1;"), true, true),
        Arguments.of(
            "int32 to string", proto("int32 a = 1;"), proto("string a = 1;"), false, false),
        Arguments.of(
            "single to repeated",
            proto("int32 a = 1;"),
            proto("repeated int32 a = 1;"),
            false,
            false),
        Arguments.of(
            "message removed",
            proto("int32 a = 1;") + "message N { int32 x = 1; }\n",
            proto("int32 a = 1;"),
            false,
            true),
        Arguments.of(
            "package changed",
            proto("int32 a = 1;"),
            proto("int32 a = 1;").replace("package ex;", "package other;"),
            false,
            false));
  }

  @ParameterizedTest(name = "Protobuf: {0}")
  @MethodSource("protobuf")
  void protobufSchema(
      String name, String oldSchema, String newSchema, boolean backward, boolean forward) {
    check(SchemaType.PROTOBUF, oldSchema, newSchema, backward, forward);
  }

  @org.junit.jupiter.api.Test
  void malformedSchemasAreRefused() {
    assertThatThrownBy(() -> SchemaParser.parse(SchemaType.JSON, "{\"type\":", List.of()))
        .isInstanceOf(InvalidSchemaException.class);
    assertThatThrownBy(() -> SchemaParser.parse(SchemaType.JSON, "[1,2]", List.of()))
        .isInstanceOf(InvalidSchemaException.class);
    assertThatThrownBy(
            () -> SchemaParser.parse(SchemaType.PROTOBUF, proto("int32 a = 0;"), List.of()))
        .hasMessageContaining("field number 0");
    assertThatThrownBy(
            () ->
                SchemaParser.parse(
                    SchemaType.PROTOBUF, proto("int32 a = 1; int32 b = 1;"), List.of()))
        .hasMessageContaining("used twice");
    assertThatThrownBy(
            () -> SchemaParser.parse(SchemaType.PROTOBUF, "message M { int32 a = 1;", List.of()))
        .isInstanceOf(InvalidSchemaException.class);
    assertThatThrownBy(() -> SchemaType.fromName("XML")).hasMessageContaining("XML");
  }

  private static void check(
      SchemaType type, String oldSchema, String newSchema, boolean backward, boolean forward) {
    List<ParsedSchema> previous = List.of(SchemaParser.parse(type, oldSchema, List.of()));
    ParsedSchema candidate = SchemaParser.parse(type, newSchema, List.of());
    assertThat(CompatibilityLevel.BACKWARD.check(candidate, previous).isEmpty())
        .as("backward")
        .isEqualTo(backward);
    assertThat(CompatibilityLevel.FORWARD.check(candidate, previous).isEmpty())
        .as("forward")
        .isEqualTo(forward);
    assertThat(CompatibilityLevel.FULL.check(candidate, previous).isEmpty())
        .as("full")
        .isEqualTo(backward && forward);
  }
}
