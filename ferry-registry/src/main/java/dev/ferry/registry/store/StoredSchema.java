package dev.ferry.registry.store;

import dev.ferry.registry.schema.SchemaReference;
import dev.ferry.registry.schema.SchemaType;
import java.util.List;

/** One version of a subject, as kept in the {@code _schemas} topic. */
public record StoredSchema(
    String subject,
    int version,
    int id,
    SchemaType type,
    String schema,
    List<SchemaReference> references,
    boolean deleted) {

  public StoredSchema withDeleted(boolean d) {
    return new StoredSchema(subject, version, id, type, schema, references, d);
  }

  /** What makes two registrations the same schema (and so the same id). */
  public String contentKey() {
    return contentKey(type, schema, references);
  }

  public static String contentKey(SchemaType type, String schema, List<SchemaReference> refs) {
    return type + "\u0000" + refs + "\u0000" + schema;
  }
}
