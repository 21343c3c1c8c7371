package dev.ferry.registry.schema;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/** An Avro schema; compatibility is Avro's own ({@link SchemaCompatibility}), not Ferry's. */
public final class AvroSchema implements ParsedSchema {

  private final Schema schema;
  private final String canonical;

  private AvroSchema(Schema schema) {
    this.schema = schema;
    this.canonical = schema.toString();
  }

  /**
   * @param referenced the texts of the referenced schemas, dependencies first: their named types
   *     are known when {@code text} is parsed
   */
  public static AvroSchema parse(String text, List<String> referenced) {
    Schema.Parser parser = new Schema.Parser();
    try {
      for (String ref : referenced) {
        parser.parse(ref);
      }
      return new AvroSchema(parser.parse(text));
    } catch (RuntimeException e) {
      throw new InvalidSchemaException("Invalid schema: " + e.getMessage());
    }
  }

  public Schema schema() {
    return schema;
  }

  @Override
  public SchemaType type() {
    return SchemaType.AVRO;
  }

  @Override
  public String canonical() {
    return canonical;
  }

  @Override
  public List<String> readerIncompatibilities(ParsedSchema writer) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(schema, ((AvroSchema) writer).schema);
    List<String> out = new ArrayList<>();
    if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return out;
    }
    for (SchemaCompatibility.Incompatibility i : result.getResult().getIncompatibilities()) {
      out.add(
          "{errorType:'"
              + i.getType()
              + "', description:'"
              + i.getMessage()
              + "', location:'"
              + i.getLocation()
              + "'}");
    }
    return out;
  }
}
