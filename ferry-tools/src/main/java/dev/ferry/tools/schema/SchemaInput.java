package dev.ferry.tools.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The schema a command sends to the registry: its text (inline or from a file) and its type. Shared
 * by {@code register} and {@code check}, which post the same body.
 */
final class SchemaInput {

  @Option(names = "--schema", paramLabel = "TEXT", description = "The schema text.")
  String schema;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "Read the schema from FILE.")
  Path file;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      defaultValue = "AVRO",
      description = "AVRO, JSON or PROTOBUF (default: ${DEFAULT-VALUE}).")
  String type;

  /**
   * The registry's request body: {@code schema}, and {@code schemaType} unless AVRO (the registry's
   * default, left out as Confluent's clients do).
   */
  ObjectNode requestBody(CommandSpec spec) throws IOException {
    ObjectNode body = Json.object().put("schema", text(spec));
    if (!type.equalsIgnoreCase("AVRO")) {
      body.put("schemaType", type.toUpperCase(Locale.ROOT));
    }
    return body;
  }

  /** The schema text from --schema or --file (exactly one). */
  private String text(CommandSpec spec) throws IOException {
    if ((schema == null) == (file == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give the schema with exactly one of --schema and --file");
    }
    return schema != null ? schema : Files.readString(file);
  }
}
