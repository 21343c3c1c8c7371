package dev.ferry.verify;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;

/** Sets up the {@link WorkloadChecker}'s topic before the producers start. */
final class WorkloadTopic {

  private WorkloadTopic() {}

  /**
   * Creates the topic of {@code settings} (an existing one is fine), retrying for up to {@code
   * timeout} while the cluster is not ready; {@code bootstrap} is asked again for every attempt.
   */
  static void create(
      Supplier<String> bootstrap, WorkloadChecker.Settings settings, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (Admin admin = Admin.create(adminConfig(bootstrap, settings))) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(
                            settings.topic(), settings.partitions(), settings.replicationFactor())
                        .configs(settings.topicConfigs())))
            .all()
            .get(10, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicExistsException) {
          return;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("Cannot create topic " + settings.topic(), e);
        }
      } catch (java.util.concurrent.TimeoutException | KafkaException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("Cannot create topic " + settings.topic(), e);
        }
      }
      Thread.sleep(200);
    }
  }

  private static Map<String, Object> adminConfig(
      Supplier<String> bootstrap, WorkloadChecker.Settings settings) {
    Map<String, Object> c = new HashMap<>();
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
    c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    c.putAll(settings.clientProperties());
    return c;
  }
}
