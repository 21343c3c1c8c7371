package dev.ferry.registry.schema;

import java.util.Locale;

/** The schema languages the registry understands, by Confluent's {@code schemaType} names. */
public enum SchemaType {
  AVRO,
  JSON,
  PROTOBUF;

  /**
   * @param name the request's {@code schemaType}; absent means Avro, as in Confluent's API
   * @throws InvalidSchemaException for any other name
   */
  public static SchemaType fromName(String name) {
    if (name == null || name.isEmpty()) {
      return AVRO;
    }
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidSchemaException("Invalid schema type " + name);
    }
  }
}
