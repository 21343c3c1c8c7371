package dev.ferry.tools.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.Json;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ferry schema register}. */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description =
        "Register a schema under a subject; prints its id (the same schema keeps its id).")
public final class SchemaRegisterCommand extends SchemaSubcommand {

  @Option(
      names = {"-s", "--subject"},
      required = true,
      paramLabel = "SUBJECT",
      description = "Subject, e.g. orders-value.")
  String subject;

  @Mixin SchemaInput input;

  @Override
  int run(RegistryHttp registry) throws IOException, InterruptedException {
    ObjectNode body = input.requestBody(spec);
    int id =
        registry
            .post("/subjects/" + RegistryHttp.segment(subject) + "/versions", body)
            .get("id")
            .asInt();
    if (output.json()) {
      Json.printLine(out(), Json.object().put("subject", subject).put("id", id));
    } else {
      out().printf("Registered schema id %d under subject %s.%n", id, subject);
    }
    out().flush();
    return 0;
  }
}
