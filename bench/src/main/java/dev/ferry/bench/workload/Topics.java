package dev.ferry.bench.workload;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Creates a workload's topic and waits until every partition is served, so that no workload starts
 * while the broker is still setting its partitions up. Kafka answers CreateTopics before its
 * partitions exist on the broker; a producer that sends at once gets retriable errors on some
 * partitions, and an idempotent one can then stall for its whole delivery timeout on sequence
 * errors (seen with Kafka 4.4.0). A ListOffsets answer for each partition proves it is hosted.
 */
public final class Topics {

  private static final long TIMEOUT_SECONDS = 30;
  private static final long ATTEMPT_SECONDS = 5;
  private static final long PAUSE_MS = 50;

  private Topics() {}

  /** Replication factor 1: every workload of the single-node suite. */
  public static void create(String bootstrap, String topic, int partitions)
      throws InterruptedException, ExecutionException, TimeoutException {
    create(bootstrap, topic, partitions, (short) 1);
  }

  public static void create(String bootstrap, String topic, int partitions, short replicationFactor)
      throws InterruptedException, ExecutionException, TimeoutException {
    create(bootstrap, topic, partitions, replicationFactor, Map.of());
  }

  /**
   * Creates a topic with topic-level {@code configs} (e.g. min.insync.replicas) and waits until
   * every partition is served and, with more than one replica, has a leader and all its replicas in
   * the ISR: a follower still catching up would otherwise make the first seconds of a workload
   * measure the catch-up.
   */
  public static void create(
      String bootstrap,
      String topic,
      int partitions,
      short replicationFactor,
      Map<String, String> configs)
      throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin = admin(bootstrap)) {
      admin
          .createTopics(
              List.of(new NewTopic(topic, partitions, replicationFactor).configs(configs)))
          .all()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      // With replicas, leaders and ISRs first: until the metadata has reached the brokers,
      // ListOffsets only collects unknown-topic errors (which the admin client logs at ERROR).
      if (replicationFactor > 1) {
        awaitFullIsr(admin, topic, partitions, replicationFactor);
      }
      awaitServed(admin, topic, partitions);
    }
  }

  static Admin admin(String bootstrap) {
    return admin(bootstrap, Duration.ofSeconds(10));
  }

  /**
   * An Admin client whose requests may take {@code requestTimeout} (creating thousands of
   * partitions takes minutes on a loaded machine); API calls may take three times that.
   */
  public static Admin admin(String bootstrap, Duration requestTimeout) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                Long.toString(Math.max(30_000, 3 * requestTimeout.toMillis())),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(requestTimeout.toMillis())));
  }

  private static void awaitFullIsr(Admin admin, String topic, int partitions, int replicas)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      try {
        TopicDescription d =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(ATTEMPT_SECONDS, TimeUnit.SECONDS)
                .get(topic);
        last = isrSummary(d);
        if (fullyReplicated(d, partitions, replicas)) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        last = e.toString();
      }
      Thread.sleep(PAUSE_MS);
    }
    throw new TimeoutException(
        topic
            + ": not every partition has a leader and "
            + replicas
            + " in-sync replicas within "
            + TIMEOUT_SECONDS
            + " s; last seen: "
            + last);
  }

  static boolean fullyReplicated(TopicDescription d, int partitions, int replicas) {
    if (d == null || d.partitions().size() != partitions) {
      return false;
    }
    for (TopicPartitionInfo p : d.partitions()) {
      if (p.leader() == null || p.leader().isEmpty() || p.isr().size() < replicas) {
        return false;
      }
    }
    return true;
  }

  private static String isrSummary(TopicDescription d) {
    StringBuilder s = new StringBuilder();
    for (TopicPartitionInfo p : d.partitions()) {
      s.append(p.partition())
          .append(": leader ")
          .append(p.leader() == null ? "none" : p.leader().idString())
          .append(" isr ")
          .append(p.isr().size())
          .append("; ");
    }
    return s.toString();
  }

  private static void awaitServed(Admin admin, String topic, int partitions)
      throws InterruptedException, TimeoutException {
    awaitServed(admin, topic, partitions, Duration.ofSeconds(TIMEOUT_SECONDS));
  }

  /**
   * Bounded wait until a ListOffsets call answers for every partition of {@code topic}: each is
   * hosted by a leader that serves it.
   */
  public static void awaitServed(Admin admin, String topic, int partitions, Duration timeout)
      throws InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> query = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      query.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        admin
            .listOffsets(query)
            .all()
            .get(Math.max(ATTEMPT_SECONDS, timeout.toSeconds() / 4), TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        last = e;
        Thread.sleep(PAUSE_MS);
      }
    }
    throw new TimeoutException(
        topic
            + ": partitions not served within "
            + timeout.toSeconds()
            + " s; last error: "
            + last);
  }
}
