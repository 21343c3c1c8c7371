package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A share consumer SIGKILLed while it holds acquired records (KIP-932): it accepted the even
 * offsets and held the odd ones when its JVM died. Its connection closes with it, which ends its
 * share session and gives its records back at once, as in Kafka: the odd offsets, and only they, go
 * to another consumer (delivery count 2) long before their 60 s acquisition lock would have
 * expired; no accepted offset is delivered again.
 *
 * <p>Slow: forks the consumer's JVM (a few seconds to start on a loaded machine).
 */
@Tag("slow")
class ShareConsumerKillTest {

  private static final String TOPIC = "kill-queue";
  private static final String GROUP = "kill-group";
  private static final int N = 20;

  @TempDir Path dir;

  @Test
  void recordsHeldByAKilledConsumerGoToOthersAtOnceAndAcceptedOnesNever() throws Exception {
    try (TestBroker broker =
        TestBroker.start(
            dir,
            Map.of(
                // Far longer than the test may wait: only the release on disconnect can pass it.
                "group.share.record.lock.duration.ms", "60000",
                "group.share.min.record.lock.duration.ms", "1000",
                "group.share.heartbeat.interval.ms", "300"))) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        GroupConfigs.shareFromEarliest(admin, GROUP);
      }
      produce(broker, 0, N);

      ChildJvm child =
          ChildJvm.start(
              ShareConsumerMain.class,
              List.of(broker.bootstrap(), TOPIC, GROUP, String.valueOf(N)));
      Set<Long> accepted = new TreeSet<>();
      Set<Long> held = new TreeSet<>();
      try {
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> child.printed("holding") || !child.process().isAlive());
        assertThat(child.printed("holding")).as("child output: %s", child.lines()).isTrue();
      } finally {
        child.process().destroyForcibly(); // SIGKILL
        child.process().waitFor(10, TimeUnit.SECONDS);
      }
      for (String line : child.lines()) {
        if (line.startsWith("accepted ")) {
          accepted.add(Long.parseLong(line.substring(9)));
        } else if (line.startsWith("held ")) {
          held.add(Long.parseLong(line.substring(5)));
        }
      }
      Set<Long> evens = new TreeSet<>();
      Set<Long> odds = new TreeSet<>();
      for (long o = 0; o < N; o++) {
        (o % 2 == 0 ? evens : odds).add(o);
      }
      assertThat(accepted).isEqualTo(evens);
      assertThat(held).isEqualTo(odds);

      // A sentinel after the killed consumer's records: once it arrives, everything before it
      // that was going to be delivered has been.
      produce(broker, N, 1);
      Map<Long, Short> delivered = new TreeMap<>();
      Map<String, Object> p = new HashMap<>();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
      p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
      try (KafkaShareConsumer<byte[], byte[]> other =
          new KafkaShareConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        other.subscribe(List.of(TOPIC));
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  for (ConsumerRecord<byte[], byte[]> r : other.poll(Duration.ofMillis(100))) {
                    assertThat(delivered.put(r.offset(), r.deliveryCount().orElse((short) -1)))
                        .as("offset %d delivered twice", r.offset())
                        .isNull();
                  }
                  other.commitSync();
                  return delivered.keySet().containsAll(odds) && delivered.containsKey((long) N);
                });
      }
      Set<Long> expected = new TreeSet<>(odds);
      expected.add((long) N);
      assertThat(delivered.keySet()).isEqualTo(expected);
      for (long o : odds) {
        assertThat(delivered.get(o)).as("delivery count of offset %d", o).isEqualTo((short) 2);
      }
      // Once: a ShareFetch the killed consumer left parked gives back what it acquires.
      assertThat(delivered.get((long) N)).isEqualTo((short) 1);
    }
  }

  private static void produce(TestBroker broker, int from, int count) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of("linger.ms", 5))) {
      for (int i = from; i < from + count; i++) {
        producer.send(new ProducerRecord<>(TOPIC, String.valueOf(i).getBytes())).get();
      }
    }
  }
}
