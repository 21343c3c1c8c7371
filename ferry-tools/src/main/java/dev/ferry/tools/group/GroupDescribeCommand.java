package dev.ferry.tools.group;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry group describe GROUP...}: per partition, committed offset, log end and lag. */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    description =
        "Show a group's state and, per partition, its committed offset, the log end offset, the "
            + "lag between them and the member consuming it.")
public final class GroupDescribeCommand extends ClientCommand {

  private static final Comparator<TopicPartition> ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  @Parameters(paramLabel = "GROUP", arity = "1..*", description = "Groups to describe.")
  List<String> groups;

  /** One partition row of a group. */
  record Row(TopicPartition tp, Long committed, long logEnd, MemberDescription member) {
    Long lag() {
      return committed == null ? null : Math.max(0, logEnd - committed);
    }
  }

  @Override
  protected int run() throws Exception {
    ArrayNode json = Json.array();
    PrintWriter out = out();
    boolean first = true;
    try (Admin admin = Clients.admin(client)) {
      for (String group : groups) {
        Optional<ShareGroupDescription> share = ShareGroupDescriber.describe(admin, group);
        if (share.isPresent()) {
          if (output.json()) {
            json.add(ShareGroupDescriber.toJson(admin, share.get()));
          } else {
            if (!first) {
              out.println();
            }
            first = false;
            ShareGroupDescriber.print(admin, out, share.get());
          }
          continue;
        }
        ConsumerGroupDescription d = GroupOffsets.describe(admin, group);
        List<Row> rows = rows(admin, d);
        if (output.json()) {
          json.add(toJson(d, rows));
          continue;
        }
        if (!first) {
          out.println();
        }
        first = false;
        out.printf(
            "Group: %s  State: %s  Members: %d  Coordinator: %s%s%n",
            group,
            d.groupState(),
            d.members().size(),
            d.coordinator() == null ? "-" : d.coordinator().id(),
            consumerProtocol(d)
                ? "  Type: consumer  Epoch: "
                    + d.groupEpoch().map(String::valueOf).orElse("-")
                    + "  Assignment epoch: "
                    + d.targetAssignmentEpoch().map(String::valueOf).orElse("-")
                : "");
        if (consumerProtocol(d)) {
          Table members = new Table("CONSUMER-ID", "EPOCH", "CLIENT-ID", "HOST", "PARTITIONS");
          for (MemberDescription m : d.members()) {
            members.row(
                m.consumerId(),
                m.memberEpoch().orElse(null),
                m.clientId(),
                m.host(),
                m.assignment().topicPartitions().size());
          }
          members.print(out);
        }
        Table table =
            new Table(
                "TOPIC",
                "PARTITION",
                "CURRENT-OFFSET",
                "LOG-END-OFFSET",
                "LAG",
                "CONSUMER-ID",
                "HOST",
                "CLIENT-ID");
        for (Row r : rows) {
          table.row(
              r.tp().topic(),
              r.tp().partition(),
              r.committed(),
              r.logEnd(),
              r.lag(),
              r.member() == null ? null : r.member().consumerId(),
              r.member() == null ? null : r.member().host(),
              r.member() == null ? null : r.member().clientId());
        }
        table.print(out);
      }
    }
    if (output.json()) {
      Json.print(out, json);
    }
    return 0;
  }

  /** A group of the consumer protocol (KIP-848): it has group and member epochs. */
  private static boolean consumerProtocol(ConsumerGroupDescription d) {
    return d.type() == org.apache.kafka.common.GroupType.CONSUMER;
  }

  private static List<Row> rows(Admin admin, ConsumerGroupDescription d) throws Exception {
    Map<TopicPartition, Long> committed = GroupOffsets.committed(admin, d.groupId());
    Map<TopicPartition, MemberDescription> owners = new HashMap<>();
    for (MemberDescription m : d.members()) {
      m.assignment().topicPartitions().forEach(tp -> owners.put(tp, m));
    }
    TreeSet<TopicPartition> all = new TreeSet<>(ORDER);
    all.addAll(committed.keySet());
    all.addAll(owners.keySet());
    Map<TopicPartition, Long> logEnd = GroupOffsets.logEnd(admin, all);
    List<Row> rows = new ArrayList<>();
    for (TopicPartition tp : all) {
      rows.add(new Row(tp, committed.get(tp), logEnd.getOrDefault(tp, 0L), owners.get(tp)));
    }
    return rows;
  }

  private static ObjectNode toJson(ConsumerGroupDescription d, List<Row> rows) {
    ObjectNode node = Json.object();
    node.put("group", d.groupId());
    node.put("state", String.valueOf(d.groupState()));
    node.put("members", d.members().size());
    node.put("coordinator", d.coordinator() == null ? null : d.coordinator().id());
    node.put("type", String.valueOf(d.type()).toLowerCase(java.util.Locale.ROOT));
    if (consumerProtocol(d)) {
      node.put("groupEpoch", d.groupEpoch().orElse(null));
      node.put("assignmentEpoch", d.targetAssignmentEpoch().orElse(null));
      ArrayNode ms = node.putArray("memberEpochs");
      for (MemberDescription m : d.members()) {
        ObjectNode mn = ms.addObject();
        mn.put("consumerId", m.consumerId());
        mn.put("memberEpoch", m.memberEpoch().orElse(null));
      }
    }
    ArrayNode parts = node.putArray("partitions");
    for (Row r : rows) {
      ObjectNode p = parts.addObject();
      p.put("topic", r.tp().topic());
      p.put("partition", r.tp().partition());
      p.put("committedOffset", r.committed());
      p.put("logEndOffset", r.logEnd());
      p.put("lag", r.lag());
      p.put("consumerId", r.member() == null ? null : r.member().consumerId());
      p.put("host", r.member() == null ? null : r.member().host());
      p.put("clientId", r.member() == null ? null : r.member().clientId());
    }
    return node;
  }
}
