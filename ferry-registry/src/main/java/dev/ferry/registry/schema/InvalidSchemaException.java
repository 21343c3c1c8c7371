package dev.ferry.registry.schema;

/** A schema text that does not parse as its type (answered as 42201). */
public final class InvalidSchemaException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InvalidSchemaException(String message) {
    super(message);
  }
}
