package dev.ferry.console.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidRequestException;

/** The topic pages: list, one topic's partitions and configs, and the changes the console makes. */
public final class TopicsService {

  public record TopicSummary(
      String name,
      boolean internal,
      int partitions,
      int replicationFactor,
      Long sizeBytes,
      int underReplicated,
      int offline) {}

  public record PartitionDetail(
      int partition,
      Integer leader,
      List<Integer> replicas,
      List<Integer> isr,
      long startOffset,
      long endOffset,
      Long sizeBytes) {}

  public record ConfigValue(
      String name, String value, String source, boolean sensitive, boolean readOnly) {}

  public record TopicDetail(
      String name,
      String topicId,
      boolean internal,
      List<PartitionDetail> partitions,
      List<ConfigValue> configs) {}

  /** A topic to create; {@code replicationFactor} -1 takes the broker's default. */
  public record NewTopicRequest(
      String name, int partitions, int replicationFactor, Map<String, String> configs) {}

  private final long timeoutMs;

  public TopicsService(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  public List<TopicSummary> list(Admin admin) {
    Map<String, TopicDescription> topics = ClusterService.describeAll(admin, timeoutMs);
    Map<TopicPartition, Long> sizes = sizes(admin, topics.values());
    List<TopicSummary> out = new ArrayList<>();
    for (TopicDescription t : topics.values()) {
      Long size = sizes == null ? null : 0L;
      int under = 0;
      int offline = 0;
      for (TopicPartitionInfo p : t.partitions()) {
        if (sizes != null) {
          size += sizes.getOrDefault(new TopicPartition(t.name(), p.partition()), 0L);
        }
        if (p.leader() == null || p.leader().isEmpty()) {
          offline++;
        } else if (p.isr().size() < p.replicas().size()) {
          under++;
        }
      }
      int rf = t.partitions().isEmpty() ? 0 : t.partitions().get(0).replicas().size();
      out.add(
          new TopicSummary(
              t.name(), t.isInternal(), t.partitions().size(), rf, size, under, offline));
    }
    out.sort(Comparator.comparing(TopicSummary::name));
    return out;
  }

  public TopicDetail describe(Admin admin, String topic) {
    TopicDescription t =
        KafkaCalls.await(admin.describeTopics(List.of(topic)).allTopicNames(), timeoutMs)
            .get(topic);
    Map<TopicPartition, Long> sizes = sizes(admin, List.of(t));
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartitionInfo p : t.partitions()) {
      TopicPartition tp = new TopicPartition(topic, p.partition());
      earliest.put(tp, OffsetSpec.earliest());
      latest.put(tp, OffsetSpec.latest());
    }
    Map<TopicPartition, Long> starts = Offsets.of(admin, earliest, timeoutMs);
    Map<TopicPartition, Long> ends = Offsets.of(admin, latest, timeoutMs);
    List<PartitionDetail> partitions = new ArrayList<>();
    for (TopicPartitionInfo p : t.partitions()) {
      TopicPartition tp = new TopicPartition(topic, p.partition());
      partitions.add(
          new PartitionDetail(
              p.partition(),
              p.leader() == null || p.leader().isEmpty() ? null : p.leader().id(),
              p.replicas().stream().map(Node::id).toList(),
              p.isr().stream().map(Node::id).toList(),
              starts.getOrDefault(tp, -1L),
              ends.getOrDefault(tp, -1L),
              sizes == null ? null : sizes.getOrDefault(tp, 0L)));
    }
    partitions.sort(Comparator.comparingInt(PartitionDetail::partition));
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config =
        KafkaCalls.await(admin.describeConfigs(List.of(resource)).all(), timeoutMs).get(resource);
    List<ConfigValue> configs = new ArrayList<>();
    for (ConfigEntry e : config.entries()) {
      configs.add(
          new ConfigValue(
              e.name(),
              e.isSensitive() ? null : e.value(),
              e.source().name(),
              e.isSensitive(),
              e.isReadOnly()));
    }
    configs.sort(Comparator.comparing(ConfigValue::name));
    return new TopicDetail(topic, t.topicId().toString(), t.isInternal(), partitions, configs);
  }

  public void create(Admin admin, NewTopicRequest request) {
    if (request.partitions() < 1 || request.partitions() > 10_000) {
      throw new InvalidRequestException("Partitions must be between 1 and 10000");
    }
    NewTopic topic =
        new NewTopic(
            request.name(),
            Optional.of(request.partitions()),
            request.replicationFactor() <= 0
                ? Optional.empty()
                : Optional.of((short) request.replicationFactor()));
    if (request.configs() != null && !request.configs().isEmpty()) {
      topic.configs(request.configs());
    }
    KafkaCalls.await(admin.createTopics(List.of(topic)).all(), timeoutMs);
  }

  public void delete(Admin admin, String topic) {
    KafkaCalls.await(admin.deleteTopics(List.of(topic)).all(), timeoutMs);
  }

  public void addPartitions(Admin admin, String topic, int totalCount) {
    KafkaCalls.await(
        admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(totalCount))).all(),
        timeoutMs);
  }

  /** Sets the given configs and removes the given overrides, in one request. */
  public void alterConfigs(
      Admin admin, String topic, Map<String, String> set, Collection<String> remove) {
    List<AlterConfigOp> ops = new ArrayList<>();
    set.forEach(
        (k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
    for (String k : remove) {
      ops.add(new AlterConfigOp(new ConfigEntry(k, null), AlterConfigOp.OpType.DELETE));
    }
    if (ops.isEmpty()) {
      throw new InvalidRequestException("No config change given");
    }
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    KafkaCalls.await(admin.incrementalAlterConfigs(Map.of(resource, ops)).all(), timeoutMs);
  }

  /**
   * Bytes on disk per partition, summed over its replicas (every broker's log dirs); null when the
   * user may not describe the cluster (DescribeLogDirs needs that right), so sizes show as unknown.
   */
  private Map<TopicPartition, Long> sizes(Admin admin, Collection<TopicDescription> topics) {
    Map<TopicPartition, Long> out = new HashMap<>();
    if (topics.isEmpty()) {
      return out;
    }
    try {
      return sizesOnDisk(admin, out);
    } catch (ClusterAuthorizationException e) {
      return null;
    }
  }

  private Map<TopicPartition, Long> sizesOnDisk(Admin admin, Map<TopicPartition, Long> out) {
    List<Integer> brokers =
        KafkaCalls.await(admin.describeCluster().nodes(), timeoutMs).stream()
            .map(Node::id)
            .toList();
    Map<Integer, Map<String, LogDirDescription>> dirs =
        KafkaCalls.await(admin.describeLogDirs(brokers).allDescriptions(), timeoutMs);
    for (Map<String, LogDirDescription> byDir : dirs.values()) {
      for (LogDirDescription d : byDir.values()) {
        for (Map.Entry<TopicPartition, ReplicaInfo> r : d.replicaInfos().entrySet()) {
          out.merge(r.getKey(), r.getValue().size(), Long::sum);
        }
      }
    }
    return out;
  }
}
