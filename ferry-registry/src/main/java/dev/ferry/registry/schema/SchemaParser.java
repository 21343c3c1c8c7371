package dev.ferry.registry.schema;

import java.util.List;

/** Parses schema text of any supported type. */
public final class SchemaParser {

  private SchemaParser() {}

  /**
   * @param referenced the texts of the schemas {@code text} references, dependencies first (used by
   *     Avro, whose named types must be known; JSON Schema and Protobuf check references by name)
   * @throws InvalidSchemaException when the text is not a schema of that type
   */
  public static ParsedSchema parse(SchemaType type, String text, List<String> referenced) {
    if (text == null || text.isBlank()) {
      throw new InvalidSchemaException("Invalid schema: empty schema");
    }
    return switch (type) {
      case AVRO -> AvroSchema.parse(text, referenced);
      case JSON -> JsonSchema.parse(text);
      case PROTOBUF -> ProtobufSchema.parse(text);
    };
  }
}
