package dev.ferry.tools.topic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry topic create NAME}. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = "Create a topic; unset counts take the broker's defaults.")
public final class TopicCreateCommand extends ClientCommand {

  @Parameters(paramLabel = "TOPIC", description = "Name of the topic.")
  String topic;

  @Option(
      names = {"-p", "--partitions"},
      paramLabel = "N",
      description = "Number of partitions (default: the broker's num.partitions).")
  Integer partitions;

  @Option(
      names = {"-r", "--replication-factor"},
      paramLabel = "N",
      description = "Copies of each partition (default: default.replication.factor).")
  Short replicationFactor;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "KEY=VALUE",
      description = "A topic config override, e.g. retention.ms=86400000; repeatable.")
  Map<String, String> configs = new LinkedHashMap<>();

  @Option(names = "--if-not-exists", description = "Succeed quietly if the topic exists.")
  boolean ifNotExists;

  @Override
  protected int run() throws Exception {
    if (partitions != null && partitions < 1) {
      throw usage("--partitions must be at least 1");
    }
    if (replicationFactor != null && replicationFactor < 1) {
      throw usage("--replication-factor must be at least 1");
    }
    NewTopic newTopic =
        new NewTopic(topic, Optional.ofNullable(partitions), Optional.ofNullable(replicationFactor))
            .configs(configs);
    try (Admin admin = Clients.admin(client)) {
      CreateTopicsResult result = admin.createTopics(List.of(newTopic));
      try {
        result.all().get();
      } catch (ExecutionException e) {
        if (ifNotExists && e.getCause() instanceof TopicExistsException) {
          return 0;
        }
        throw e;
      }
      if (output.json()) {
        ObjectNode json = Json.object();
        json.put("topic", topic);
        json.put("topicId", result.topicId(topic).get().toString());
        json.put("partitions", result.numPartitions(topic).get());
        json.put("replicationFactor", result.replicationFactor(topic).get());
        Json.print(out(), json);
      } else {
        out()
            .printf(
                "Created topic %s with %d partition(s), replication factor %d.%n",
                topic, result.numPartitions(topic).get(), result.replicationFactor(topic).get());
        out().flush();
      }
    }
    return 0;
  }
}
