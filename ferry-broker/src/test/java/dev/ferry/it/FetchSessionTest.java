package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.server.fetch.FetchSessionCache;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental fetch sessions (KIP-227) on a real broker: the Java consumer of 1,000 partitions
 * fetches incrementally (counted by the broker) and reads exactly what was written; and the session
 * protocol at the wire (new session at epoch 0, incremental answers with only what changed,
 * forgotten partitions, Kafka's error codes for a wrong epoch or an unknown session, a full fetch
 * closing the session).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FetchSessionTest {

  private static final short V12 = 12; // sessions, topics by name

  @TempDir static Path dir;
  private TestBroker broker;
  private Admin admin;

  @BeforeAll
  void start() {
    broker = TestBroker.start(dir);
    admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                150_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                150_000));
  }

  @AfterAll
  void stop() {
    admin.close();
    broker.close();
  }

  /**
   * Slow: creating 1,000 partition logs takes the broker 5 to 30 s on a busy machine (the rest of
   * the test takes a few seconds).
   */
  @Test
  @Tag("slow")
  void consumerOfAThousandPartitionsFetchesIncrementallyAndReadsEverything() throws Exception {
    int partitions = 1000;
    admin
        .createTopics(
            List.of(new NewTopic("wide", partitions, (short) 1)),
            new CreateTopicsOptions().timeoutMs(120_000))
        .all()
        .get(150, TimeUnit.SECONDS);
    FetchSessionCache sessions = broker.broker().fetchSessions();
    try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of("linger.ms", 5))) {
      for (int p = 0; p < partitions; p++) {
        for (int i = 0; i < 2; i++) {
          producer.send(new ProducerRecord<>("wide", p, null, bytes(p + ":" + i)));
        }
      }
      producer.flush();
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition("wide", p));
      }
      try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
        consumer.assign(all);
        Map<Integer, List<String>> read = pollUntil(consumer, 2 * partitions);
        for (int p = 0; p < partitions; p++) {
          assertThat(read.get(p)).as("partition %d", p).containsExactly(p + ":0", p + ":1");
        }
        long incrementalBefore = sessions.incrementalFetches();
        long fullBefore = sessions.fullFetches();
        for (int p = 0; p < 10; p++) {
          producer.send(new ProducerRecord<>("wide", p * 100, null, bytes(p * 100 + ":2")));
        }
        producer.flush();
        Map<Integer, List<String>> more = pollUntil(consumer, 10);
        for (int p = 0; p < 10; p++) {
          assertThat(more.get(p * 100)).containsExactly(p * 100 + ":2");
        }
        // The consumer's session holds all 1,000 partitions; its fetches since were incremental.
        assertThat(sessions.sessions()).isEqualTo(1);
        assertThat(sessions.partitions()).isEqualTo(partitions);
        assertThat(sessions.incrementalFetches() - incrementalBefore).isGreaterThanOrEqualTo(1);
        assertThat(sessions.fullFetches()).isEqualTo(fullBefore);
      }
    }
  }

  @Test
  void sessionProtocolAtTheWire() throws Exception {
    admin.createTopics(List.of(new NewTopic("sessions", 2, (short) 1))).all().get();
    FetchSessionCache sessions = broker.broker().fetchSessions();
    int sessionsBefore = sessions.sessions();
    try (KafkaProducer<byte[], byte[]> producer = broker.producer();
        RawKafkaConnection conn = RawKafkaConnection.to(broker)) {
      producer.send(new ProducerRecord<>("sessions", 0, null, bytes("a"))).get();

      // Epoch 0: a full fetch that opens a session; both partitions answered.
      FetchResponseData full =
          fetch(conn, 0, 0, List.of(partition(0, 0), partition(1, 0)), List.of());
      int id = full.sessionId();
      assertThat(id).isPositive();
      assertThat(full.errorCode()).isZero();
      assertThat(partitionsOf(full)).containsOnlyKeys(0, 1);
      assertThat(values(partitionsOf(full).get(0))).containsExactly("a");
      assertThat(sessions.sessions()).isEqualTo(sessionsBefore + 1);

      // Epoch 1: partition 0 moves to offset 1; nothing is new anywhere, so nothing is answered.
      FetchResponseData quiet = fetch(conn, id, 1, List.of(partition(0, 1)), List.of());
      assertThat(quiet.errorCode()).isZero();
      assertThat(quiet.sessionId()).isEqualTo(id);
      assertThat(quiet.responses()).isEmpty();

      // Epoch 2: a record for partition 1 (still at offset 0 in the session): only it answers.
      producer.send(new ProducerRecord<>("sessions", 1, null, bytes("b"))).get();
      FetchResponseData news = fetch(conn, id, 2, List.of(), List.of());
      assertThat(partitionsOf(news)).containsOnlyKeys(1);
      assertThat(values(partitionsOf(news).get(1))).containsExactly("b");
      assertThat(partitionsOf(news).get(1).highWatermark()).isEqualTo(1);

      // The same epoch again, and an unknown session: Kafka's error codes, no data.
      FetchResponseData stale = fetch(conn, id, 2, List.of(), List.of());
      assertThat(stale.errorCode()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
      assertThat(stale.responses()).isEmpty();
      FetchResponseData unknown = fetch(conn, id + 1, 1, List.of(), List.of());
      assertThat(unknown.errorCode()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());

      // Epoch 3: partition 1 forgotten; a new record there is no longer answered.
      producer.send(new ProducerRecord<>("sessions", 1, null, bytes("c"))).get();
      FetchResponseData forgot = fetch(conn, id, 3, List.of(), List.of(1));
      assertThat(forgot.responses()).isEmpty();
      // Epoch 4: partition 0 gets a record and is answered alone.
      producer.send(new ProducerRecord<>("sessions", 0, null, bytes("d"))).get();
      FetchResponseData after = fetch(conn, id, 4, List.of(), List.of());
      assertThat(partitionsOf(after)).containsOnlyKeys(0);
      assertThat(values(partitionsOf(after).get(0))).containsExactly("d");

      // A full fetch at epoch -1 naming the session closes it and opens none.
      FetchResponseData closing = fetch(conn, id, -1, List.of(partition(0, 0)), List.of());
      assertThat(closing.sessionId()).isZero();
      assertThat(values(partitionsOf(closing).get(0))).containsExactly("a", "d");
      assertThat(sessions.sessions()).isEqualTo(sessionsBefore);
      assertThat(fetch(conn, id, 5, List.of(), List.of()).errorCode())
          .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
    }
  }

  private static FetchPartition partition(int index, long offset) {
    return new FetchPartition()
        .setPartition(index)
        .setFetchOffset(offset)
        .setPartitionMaxBytes(1 << 20)
        .setCurrentLeaderEpoch(-1);
  }

  private static FetchResponseData fetch(
      RawKafkaConnection conn,
      int sessionId,
      int epoch,
      List<FetchPartition> changed,
      List<Integer> forgotten)
      throws Exception {
    FetchRequestData data =
        new FetchRequestData()
            .setReplicaId(-1)
            .setMaxWaitMs(0)
            .setMinBytes(0)
            .setMaxBytes(1 << 20)
            .setSessionId(sessionId)
            .setSessionEpoch(epoch);
    if (!changed.isEmpty()) {
      data.topics().add(new FetchTopic().setTopic("sessions").setPartitions(changed));
    }
    if (!forgotten.isEmpty()) {
      data.forgottenTopicsData()
          .add(new ForgottenTopic().setTopic("sessions").setPartitions(forgotten));
    }
    return ((FetchResponse) conn.send(new FetchRequest(data, V12))).data();
  }

  private static Map<Integer, PartitionData> partitionsOf(FetchResponseData response) {
    Map<Integer, PartitionData> out = new HashMap<>();
    for (FetchResponseData.FetchableTopicResponse t : response.responses()) {
      assertThat(t.topic()).isEqualTo("sessions");
      for (PartitionData p : t.partitions()) {
        out.put(p.partitionIndex(), p);
      }
    }
    return out;
  }

  private static List<String> values(PartitionData p) {
    List<String> out = new ArrayList<>();
    for (Record r : FetchResponse.recordsOrFail(p).records()) {
      byte[] b = new byte[r.valueSize()];
      r.value().get(b);
      out.add(new String(b, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static Map<Integer, List<String>> pollUntil(
      KafkaConsumer<byte[], byte[]> consumer, int count) {
    Map<Integer, List<String>> read = new HashMap<>();
    int seen = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (seen < count && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        read.computeIfAbsent(r.partition(), k -> new ArrayList<>())
            .add(new String(r.value(), StandardCharsets.UTF_8));
        seen++;
      }
    }
    assertThat(seen).isEqualTo(count);
    return read;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
