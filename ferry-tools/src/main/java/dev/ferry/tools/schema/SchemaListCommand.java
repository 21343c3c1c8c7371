package dev.ferry.tools.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry schema list}. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List subjects with their latest version, its schema id and type.")
public final class SchemaListCommand extends SchemaSubcommand {

  @Option(
      names = "--prefix",
      paramLabel = "PREFIX",
      description = "Only subjects starting with PREFIX.")
  String prefix;

  @Override
  int run(RegistryHttp registry) throws IOException, InterruptedException {
    String query = prefix == null ? "" : "?subjectPrefix=" + RegistryHttp.segment(prefix);
    JsonNode subjects = registry.get("/subjects" + query);
    ArrayNode json = Json.array();
    Table table = new Table("SUBJECT", "VERSION", "ID", "TYPE");
    for (JsonNode s : subjects) {
      JsonNode latest =
          registry.get("/subjects/" + RegistryHttp.segment(s.asText()) + "/versions/latest");
      String type = latest.path("schemaType").asText("AVRO");
      json.addObject()
          .put("subject", s.asText())
          .put("version", latest.get("version").asInt())
          .put("id", latest.get("id").asInt())
          .put("schemaType", type);
      table.row(s.asText(), latest.get("version").asInt(), latest.get("id").asInt(), type);
    }
    if (output.json()) {
      Json.print(out(), json);
    } else {
      table.print(out());
    }
    out().flush();
    return 0;
  }
}
