package dev.ferry.tools.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.Json;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ferry schema check}. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check whether a schema is compatible with a subject under its compatibility level.",
      "Without --version it is checked as registration would; exit code 0 when compatible, 1 when"
          + " not (the reasons follow)."
    })
public final class SchemaCheckCommand extends SchemaSubcommand {

  @Option(
      names = {"-s", "--subject"},
      required = true,
      paramLabel = "SUBJECT",
      description = "Subject to check against.")
  String subject;

  @Option(
      names = {"-v", "--version"},
      paramLabel = "VERSION",
      description = "Check against this version only (a number or latest).")
  String version;

  @Mixin SchemaInput input;

  @Override
  int run(RegistryHttp registry) throws IOException, InterruptedException {
    ObjectNode body = input.requestBody(spec);
    String path =
        "/compatibility/subjects/"
            + RegistryHttp.segment(subject)
            + "/versions"
            + (version == null ? "" : "/" + RegistryHttp.segment(version))
            + "?verbose=true";
    JsonNode result = registry.post(path, body);
    boolean compatible = result.path("is_compatible").asBoolean();
    if (output.json()) {
      ObjectNode out = Json.object().put("subject", subject).put("compatible", compatible);
      out.set("messages", result.path("messages"));
      Json.printLine(out(), out);
    } else {
      out()
          .println(
              compatible
                  ? "Compatible with " + subject + "."
                  : "Incompatible with " + subject + ":");
      for (JsonNode m : result.path("messages")) {
        out().println("  " + m.asText());
      }
    }
    out().flush();
    return compatible ? 0 : 1;
  }
}
