package dev.ferry.tools.topic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.AdminQueries;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry topic alter-config TOPIC --set k=v --delete k}. */
@Command(
    name = "alter-config",
    mixinStandardHelpOptions = true,
    description =
        "Set or remove a topic's config overrides (incrementally: other overrides are kept).")
public final class TopicAlterConfigCommand extends ClientCommand {

  @Parameters(paramLabel = "TOPIC", description = "The topic to change.")
  String topic;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Set an override, e.g. retention.ms=3600000; repeatable.")
  Map<String, String> set = new LinkedHashMap<>();

  @Option(
      names = "--delete",
      paramLabel = "KEY",
      description = "Remove an override (back to the broker default); repeatable.")
  List<String> delete = new ArrayList<>();

  @Override
  protected int run() throws Exception {
    if (set.isEmpty() && delete.isEmpty()) {
      throw usage("nothing to change: give --set KEY=VALUE and/or --delete KEY");
    }
    List<AlterConfigOp> ops = new ArrayList<>();
    set.forEach(
        (k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
    delete.forEach(
        k -> ops.add(new AlterConfigOp(new ConfigEntry(k, null), AlterConfigOp.OpType.DELETE)));
    try (Admin admin = Clients.admin(client)) {
      AdminQueries.describeTopics(admin, List.of(topic));
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get();
    }
    if (output.json()) {
      ObjectNode json = Json.object();
      json.put("topic", topic);
      json.set("set", Json.MAPPER.valueToTree(set));
      json.set("deleted", Json.MAPPER.valueToTree(delete));
      Json.print(out(), json);
    } else {
      out().printf("Updated config of topic %s.%n", topic);
      out().flush();
    }
    return 0;
  }
}
