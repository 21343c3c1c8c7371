package dev.ferry.tools.group;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.AdminQueries;
import dev.ferry.tools.common.CliException;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry group reset-offsets}: plans new committed offsets and, with {@code --execute},
 * commits them. Like kafka-consumer-groups, the default is a dry run.
 */
@Command(
    name = "reset-offsets",
    mixinStandardHelpOptions = true,
    description = {
      "Move a group's committed offsets. Prints the plan; nothing changes without --execute.",
      "The group must have no active members. --to-offset is clamped into each partition's "
          + "[log start, log end]."
    })
public final class GroupResetOffsetsCommand extends ClientCommand {

  private static final Comparator<TopicPartition> ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  @Option(
      names = {"-g", "--group"},
      required = true,
      paramLabel = "GROUP",
      description = "The group.")
  String group;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Scope scope;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  @Option(names = "--execute", description = "Apply the plan (default: dry run).")
  boolean execute;

  static final class Scope {
    @Option(
        names = {"-t", "--topic"},
        paramLabel = "TOPIC",
        description = "Reset every partition of this topic; repeatable.")
    List<String> topics;

    @Option(names = "--all-topics", description = "Reset every partition the group committed.")
    boolean allTopics;
  }

  static final class Target {
    @Option(names = "--to-earliest", description = "To each partition's log start offset.")
    boolean earliest;

    @Option(names = "--to-latest", description = "To each partition's log end offset.")
    boolean latest;

    @Option(names = "--to-offset", paramLabel = "N", description = "To offset N.")
    Long offset;
  }

  @Override
  protected int run() throws Exception {
    Map<TopicPartition, Long> current;
    Map<TopicPartition, Long> plan = new LinkedHashMap<>();
    try (Admin admin = Clients.admin(client)) {
      ConsumerGroupDescription d = describeOrNew(admin);
      current = GroupOffsets.committed(admin, group);
      List<TopicPartition> partitions = partitions(admin, current);
      Map<TopicPartition, Long> start =
          AdminQueries.offsets(admin, partitions, OffsetSpec.earliest());
      Map<TopicPartition, Long> end = AdminQueries.offsets(admin, partitions, OffsetSpec.latest());
      for (TopicPartition tp : partitions) {
        long to;
        if (target.earliest) {
          to = start.get(tp);
        } else if (target.latest) {
          to = end.get(tp);
        } else {
          to = Math.min(Math.max(target.offset, start.get(tp)), end.get(tp));
        }
        plan.put(tp, to);
      }
      if (execute) {
        if (d != null && d.groupState() != GroupState.EMPTY && d.groupState() != GroupState.DEAD) {
          throw new CliException(
              "group '"
                  + group
                  + "' has active members (state "
                  + d.groupState()
                  + "): stop its consumers before resetting offsets");
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        plan.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
        admin.alterConsumerGroupOffsets(group, commit).all().get();
      }
    }
    print(current, plan);
    return 0;
  }

  /** The group, or null if it does not exist yet (offsets can be set for a new group). */
  private ConsumerGroupDescription describeOrNew(Admin admin) throws Exception {
    try {
      return GroupOffsets.describe(admin, group);
    } catch (CliException doesNotExist) {
      return null;
    }
  }

  private List<TopicPartition> partitions(Admin admin, Map<TopicPartition, Long> current)
      throws Exception {
    List<TopicPartition> out = new ArrayList<>();
    if (scope.allTopics) {
      out.addAll(current.keySet());
      if (out.isEmpty()) {
        throw new CliException("group '" + group + "' has no committed offsets to reset");
      }
    } else {
      for (TopicDescription t : AdminQueries.describeTopics(admin, scope.topics).values()) {
        out.addAll(AdminQueries.partitions(t));
      }
    }
    out.sort(ORDER);
    return out;
  }

  private void print(Map<TopicPartition, Long> current, Map<TopicPartition, Long> plan) {
    if (output.json()) {
      ObjectNode json = Json.object();
      json.put("group", group);
      json.put("executed", execute);
      ArrayNode parts = json.putArray("partitions");
      plan.forEach(
          (tp, to) -> {
            ObjectNode p = parts.addObject();
            p.put("topic", tp.topic());
            p.put("partition", tp.partition());
            p.put("currentOffset", current.get(tp));
            p.put("newOffset", to);
          });
      Json.print(out(), json);
    } else {
      Table table = new Table("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET");
      plan.forEach((tp, to) -> table.row(group, tp.topic(), tp.partition(), current.get(tp), to));
      table.print(out());
    }
    if (!execute) {
      err().println("Dry run: nothing changed. Add --execute to commit these offsets.");
      err().flush();
    }
  }
}
