package dev.ferry.registry.schema;

/**
 * A schema's use of another registered schema: {@code name} is how the referring schema names it
 * (an Avro full name, a JSON Schema {@code $ref} URL, a Protobuf import path).
 */
public record SchemaReference(String name, String subject, int version) {}
