package dev.ferry.reliability;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Who leads and who follows a partition right now, as the cluster's Metadata answers say (an Admin
 * describeTopics, the way an operator would look). A fresh client per question, so a broker that
 * went away since the last one cannot make the answer stale.
 */
final class PartitionLeaders {

  /**
   * @param leader broker id
   * @param followers the other replicas, in assignment order
   * @param isr in-sync replicas
   */
  record Replicas(int leader, List<Integer> followers, List<Integer> isr) {}

  private final Supplier<String> bootstrap;
  private final String topic;

  PartitionLeaders(Supplier<String> bootstrap, String topic) {
    this.bootstrap = bootstrap;
    this.topic = topic;
  }

  /**
   * The replicas of {@code partition}, once it has a leader.
   *
   * @throws IllegalStateException if it has none within {@code timeout}: a stuck partition
   */
  Replicas await(int partition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() - deadline < 0) {
      try {
        TopicPartitionInfo info = describe().partitions().get(partition);
        Node leader = info.leader();
        if (leader != null && leader.id() >= 0) {
          return new Replicas(
              leader.id(),
              info.replicas().stream().map(Node::id).filter(id -> id != leader.id()).toList(),
              info.isr().stream().map(Node::id).toList());
        }
        last = info.toString();
      } catch (ExecutionException | TimeoutException | KafkaException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "Partition " + topic + "-" + partition + " has no leader after " + timeout + ": " + last);
  }

  /** The ISR size of every partition, by partition. */
  Map<Integer, Integer> isrSizes()
      throws InterruptedException, ExecutionException, TimeoutException {
    return describe().partitions().stream()
        .collect(
            Collectors.toMap(
                TopicPartitionInfo::partition,
                p -> p.leader() == null || p.leader().id() < 0 ? 0 : p.isr().size()));
  }

  private TopicDescription describe()
      throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap.get(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                3_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5_000))) {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(10, TimeUnit.SECONDS)
          .get(topic);
    }
  }
}
