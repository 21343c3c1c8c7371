package dev.ferry.registry.schema;

import java.util.List;

/** A schema that parsed; knows its canonical text and its own compatibility rules. */
public interface ParsedSchema {

  SchemaType type();

  /** The text stored and served: normalised so that equal schemas compare equal. */
  String canonical();

  /**
   * Whether data written with {@code writer} can be read with this schema.
   *
   * @return why not, one message per problem; empty when it can
   */
  List<String> readerIncompatibilities(ParsedSchema writer);
}
