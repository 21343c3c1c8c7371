package dev.ferry.tools.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.tools.common.Json;
import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry schema get}. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Print a schema: a subject's version (default: latest) or a schema id.",
      "Prints the schema text; with --output json the registry's record (subject, version, id,"
          + " schemaType, schema)."
    })
public final class SchemaGetCommand extends SchemaSubcommand {

  @Option(
      names = {"-s", "--subject"},
      paramLabel = "SUBJECT",
      description = "Subject to read.")
  String subject;

  @Option(
      names = {"-v", "--version"},
      paramLabel = "VERSION",
      defaultValue = "latest",
      description = "Version number or latest (default: ${DEFAULT-VALUE}).")
  String version;

  @Option(names = "--id", paramLabel = "ID", description = "Read schema ID instead of a subject.")
  Integer id;

  @Override
  int run(RegistryHttp registry) throws IOException, InterruptedException {
    if ((subject == null) == (id == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give exactly one of --subject and --id");
    }
    JsonNode schema =
        id != null
            ? registry.get("/schemas/ids/" + id)
            : registry.get(
                "/subjects/"
                    + RegistryHttp.segment(subject)
                    + "/versions/"
                    + RegistryHttp.segment(version));
    if (output.json()) {
      Json.printLine(out(), schema);
    } else {
      out().println(schema.get("schema").asText());
    }
    out().flush();
    return 0;
  }
}
