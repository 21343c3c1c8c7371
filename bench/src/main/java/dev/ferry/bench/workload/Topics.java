package dev.ferry.bench.workload;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates a workload's topic with an explicit partition count and replication factor. */
public final class Topics {

  private static final long TIMEOUT_SECONDS = 30;

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
    }
  }
}
