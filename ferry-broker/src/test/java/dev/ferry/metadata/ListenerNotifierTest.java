package dev.ferry.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ListenerNotifierTest {

  private static TopicMetadata topic(String name, Uuid id, int partitions) {
    Map<Integer, List<Integer>> assignment = new java.util.TreeMap<>();
    for (int p = 0; p < partitions; p++) {
      assignment.put(p, List.of(0));
    }
    return new TopicMetadata(name, id, assignment, Map.of());
  }

  @Test
  void coalescesPendingEventsKeepingOrderAndSurvivesFailingListeners() throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingListener recorder = new RecordingListener();
    try (ListenerNotifier notifier = new ListenerNotifier()) {
      // Blocks the event thread on the first event so the rest pile up.
      notifier.addListener(
          new MetadataListener() {
            @Override
            public void onTopicChanged(TopicMetadata topic) {
              if (topic.name().equals("block")) {
                blocked.countDown();
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              throw new IllegalStateException("listener bug");
            }

            @Override
            public void onTopicDeleted(TopicMetadata topic) {}
          });
      notifier.addListener(recorder);

      Uuid a = Uuid.randomUuid();
      Uuid b = Uuid.randomUuid();
      notifier.topicChanged(topic("block", Uuid.randomUuid(), 1));
      assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
      notifier.topicChanged(topic("a", a, 1));
      PartitionState s1 = new PartitionState(0, 1, List.of(0), 0, 1);
      PartitionState s2 = new PartitionState(0, 2, List.of(0), 0, 2);
      notifier.partitionStateChanged(topic("a", a, 1), 0, s1);
      notifier.topicChanged(topic("b", b, 1));
      notifier.partitionStateChanged(topic("b", b, 1), 0, s1);
      notifier.topicChanged(topic("a", a, 2)); // replaces a's pending event in place
      notifier.partitionStateChanged(topic("a", a, 2), 0, s2);
      notifier.topicDeleted(topic("b", b, 1)); // drops b's pending partition event
      release.countDown();

      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(recorder.events).hasSize(4));
      assertThat(recorder.events)
          .extracting(e -> e.kind() + ":" + e.topic().name() + ":" + e.topic().partitionCount())
          .containsExactly("changed:block:1", "changed:a:2", "state:a:2", "deleted:b:1");
      assertThat(recorder.events.get(2).state()).isEqualTo(s2);
      assertThat(recorder.events)
          .extracting(RecordingListener.Event::thread)
          .containsOnly("ferry-metadata-events");
    }
  }
}
