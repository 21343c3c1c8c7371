package dev.ferry.metadata.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.metadata.TopicMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two brokers racing on the same topic: ZooKeeper's conditional writes pick one winner. */
class ZkMetadataStoreConcurrencyTest {

  @TempDir Path dir;
  private EmbeddedZooKeeper zk;
  private ZkMetadataStore a;
  private ZkMetadataStore b;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @BeforeEach
  void start() {
    Awaitility.pollInSameThread();
    Awaitility.setDefaultPollDelay(Duration.ZERO);
    Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
    zk = EmbeddedZooKeeper.start(dir, 0);
    a = ZkMetadataStore.connect(zk.connectString(), 6_000);
    b = ZkMetadataStore.connect(zk.connectString(), 6_000);
  }

  @AfterEach
  void stop() {
    Awaitility.reset();
    pool.shutdownNow();
    a.close();
    b.close();
    zk.close();
  }

  /** Runs both tasks at the same moment; returns each result or the exception it threw. */
  private List<Object> race(Callable<Object> first, Callable<Object> second) throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(2);
    List<Future<Object>> futures = new ArrayList<>();
    for (Callable<Object> task : List.of(first, second)) {
      futures.add(
          pool.submit(
              () -> {
                barrier.await(10, TimeUnit.SECONDS);
                try {
                  return task.call();
                } catch (RuntimeException e) {
                  return e;
                }
              }));
    }
    List<Object> results = new ArrayList<>();
    for (Future<Object> future : futures) {
      results.add(future.get(30, TimeUnit.SECONDS));
    }
    return results;
  }

  @Test
  void concurrentCreatesOfOneTopicHaveExactlyOneWinner() throws Exception {
    for (int round = 0; round < 10; round++) {
      String name = "race-" + round;
      List<Object> results =
          race(
              () -> a.createTopic(name, Map.of(0, List.of(1)), Map.of("from", "a")),
              () -> b.createTopic(name, Map.of(0, List.of(2), 1, List.of(2)), Map.of("from", "b")));
      List<Object> winners = results.stream().filter(r -> r instanceof TopicMetadata).toList();
      assertThat(winners).hasSize(1);
      assertThat(results).filteredOn(r -> r instanceof TopicExistsException).hasSize(1);
      TopicMetadata winner = (TopicMetadata) winners.get(0);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> a.topic(name).equals(java.util.Optional.of(winner)));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> b.topic(name).equals(java.util.Optional.of(winner)));
      int partitions = winner.partitionCount();
      for (ZkMetadataStore store : List.of(a, b)) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> store.partitionState(name, partitions - 1).isPresent());
        assertThat(store.partitionState(name, partitions)).isEmpty();
      }
    }
  }

  @Test
  void concurrentAdditionsOfTheSamePartitionHaveExactlyOneWinner() throws Exception {
    a.createTopic("grow", Map.of(0, List.of(1)), Map.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> b.topic("grow").isPresent());
    List<Object> results =
        race(
            () -> a.addPartitions("grow", Map.of(1, List.of(1))),
            () -> b.addPartitions("grow", Map.of(1, List.of(2))));
    assertThat(results).filteredOn(r -> r instanceof TopicMetadata).hasSize(1);
    assertThat(results).filteredOn(r -> r instanceof InvalidPartitionsException).hasSize(1);
    TopicMetadata winner =
        (TopicMetadata) results.stream().filter(r -> r instanceof TopicMetadata).findFirst().get();
    assertThat(winner.partitionCount()).isEqualTo(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.topic("grow").get().equals(winner));
    await().atMost(Duration.ofSeconds(10)).until(() -> b.topic("grow").get().equals(winner));
  }

  @Test
  void configChangesRacingWithPartitionAdditionsBothLand() throws Exception {
    a.createTopic("mixed", Map.of(0, List.of(1)), Map.of("x", "0"));
    await().atMost(Duration.ofSeconds(10)).until(() -> b.topic("mixed").isPresent());
    List<Object> results =
        race(
            () -> a.addPartitions("mixed", Map.of(1, List.of(1), 2, List.of(1))),
            () -> b.setTopicConfigs("mixed", Map.of("x", "1")));
    assertThat(results).allMatch(r -> r instanceof TopicMetadata);
    for (ZkMetadataStore store : List.of(a, b)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                TopicMetadata topic = store.topic("mixed").orElseThrow();
                assertThat(topic.partitionCount()).isEqualTo(3);
                assertThat(topic.configs()).containsExactly(Map.entry("x", "1"));
              });
    }
  }
}
