package dev.ferry.bench.workload;

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
import org.apache.kafka.common.TopicPartition;

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
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000"))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, replicationFactor)))
          .all()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      awaitServed(admin, topic, partitions);
    }
  }

  private static void awaitServed(Admin admin, String topic, int partitions)
      throws InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> query = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      query.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        admin.listOffsets(query).all().get(ATTEMPT_SECONDS, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        last = e;
        Thread.sleep(PAUSE_MS);
      }
    }
    throw new TimeoutException(
        topic + ": partitions not served within " + TIMEOUT_SECONDS + " s; last error: " + last);
  }
}
