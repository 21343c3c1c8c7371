package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry consume --group} and {@code ferry group ...} against the broker's group coordinator:
 * committed offsets, lag, reset-offsets dry run and execute, delete.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupCommandsTest {

  @Test
  void consumeAsGroupThenDescribeResetAndDelete(@TempDir Path dir) throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      String bs = broker.bootstrap();
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("events", 2, (short) 1))).all().get();
      }
      try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
        for (String v : List.of("a0", "a1", "a2")) {
          producer.send(new ProducerRecord<>("events", 0, null, v.getBytes())).get();
        }
        for (String v : List.of("b0", "b1")) {
          producer.send(new ProducerRecord<>("events", 1, null, v.getBytes())).get();
        }
      }

      Cli.Result consumed =
          Cli.on(
              bs,
              "consume",
              "-t",
              "events",
              "--group",
              "g1",
              "--from-beginning",
              "--max-messages",
              "5",
              "--timeout-ms",
              "30000");
      assertThat(consumed.exitCode()).as(consumed.err()).isZero();
      assertThat(consumed.lines()).containsExactlyInAnyOrder("a0", "a1", "a2", "b0", "b1");

      try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
        producer.send(new ProducerRecord<>("events", 0, null, "a3".getBytes())).get();
      }

      Cli.Result list = Cli.on(bs, "group", "list", "-o", "json");
      assertThat(list.exitCode()).as(list.err()).isZero();
      assertThat(list.json().findValuesAsText("group")).containsExactly("g1");

      assertThat(offsets(describe(bs, "g1")))
          .containsExactly("events-0 committed=3 end=4 lag=1", "events-1 committed=2 end=2 lag=0");
      Cli.Result table = Cli.on(bs, "group", "describe", "g1");
      assertThat(table.lines().get(0)).startsWith("Group: g1  State: ");
      assertThat(table.lines().get(1).split(" +"))
          .containsExactly(
              "TOPIC",
              "PARTITION",
              "CURRENT-OFFSET",
              "LOG-END-OFFSET",
              "LAG",
              "CONSUMER-ID",
              "HOST",
              "CLIENT-ID");
      assertThat(table.lines().get(2).split(" +")).startsWith("events", "0", "3", "4", "1");

      // Dry run: prints the plan, changes nothing.
      Cli.Result dry =
          Cli.on(bs, "group", "reset-offsets", "-g", "g1", "-t", "events", "--to-earliest");
      assertThat(dry.exitCode()).as(dry.err()).isZero();
      assertThat(dry.lines())
          .containsExactly(
              "GROUP  TOPIC   PARTITION  CURRENT-OFFSET  NEW-OFFSET",
              "g1     events  0          3               0",
              "g1     events  1          2               0");
      assertThat(dry.err()).contains("Dry run");
      assertThat(offsets(describe(bs, "g1")))
          .containsExactly("events-0 committed=3 end=4 lag=1", "events-1 committed=2 end=2 lag=0");

      Cli.Result executed =
          Cli.on(
              bs,
              "group",
              "reset-offsets",
              "-g",
              "g1",
              "--all-topics",
              "--to-offset",
              "1",
              "--execute",
              "-o",
              "json");
      assertThat(executed.exitCode()).as(executed.err()).isZero();
      assertThat(executed.json().get("executed").asBoolean()).isTrue();
      assertThat(offsets(describe(bs, "g1")))
          .containsExactly("events-0 committed=1 end=4 lag=3", "events-1 committed=1 end=2 lag=1");

      // Clamped into [log start, log end].
      Cli.Result clamped =
          Cli.on(
              bs,
              "group",
              "reset-offsets",
              "-g",
              "g1",
              "-t",
              "events",
              "--to-offset",
              "99",
              "--execute");
      assertThat(clamped.exitCode()).as(clamped.err()).isZero();
      assertThat(offsets(describe(bs, "g1")))
          .containsExactly("events-0 committed=4 end=4 lag=0", "events-1 committed=2 end=2 lag=0");

      // The group resumes from its committed offsets.
      Cli.Result resumed =
          Cli.on(bs, "group", "reset-offsets", "-g", "g1", "-t", "events", "--to-latest");
      assertThat(resumed.exitCode()).isZero();
      Cli.Result rewind =
          Cli.on(
              bs,
              "group",
              "reset-offsets",
              "-g",
              "g1",
              "-t",
              "events",
              "--to-offset",
              "2",
              "--execute");
      assertThat(rewind.exitCode()).as(rewind.err()).isZero();
      Cli.Result again =
          Cli.on(
              bs,
              "consume",
              "-t",
              "events",
              "-g",
              "g1",
              "--max-messages",
              "2",
              "--timeout-ms",
              "30000");
      assertThat(again.exitCode()).as(again.err()).isZero();
      assertThat(again.lines()).containsExactlyInAnyOrder("a2", "a3");

      Cli.Result deleted = Cli.on(bs, "group", "delete", "g1");
      assertThat(deleted.exitCode()).as(deleted.err()).isZero();
      assertThat(deleted.out()).isEqualTo("Deleted group g1.\n");
      assertThat(Cli.on(bs, "group", "list").lines())
          .containsExactly("GROUP  TYPE  STATE  PROTOCOL-TYPE");

      Cli.Result gone = Cli.on(bs, "group", "describe", "g1");
      assertThat(gone.exitCode()).isEqualTo(1);
      assertThat(gone.err()).isEqualTo("ferry: error: consumer group 'g1' does not exist\n");
    }
  }

  @Test
  void describeShowsAConsumerProtocolGroupWithItsEpochs(@TempDir Path dir) throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("kip848", 3, (short) 1))).all().get();
      }
      try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
        producer.send(new ProducerRecord<>("kip848", 0, null, "x".getBytes())).get();
      }
      try (KafkaConsumer<byte[], byte[]> consumer =
          broker.consumer(
              Map.of(
                  ConsumerConfig.GROUP_ID_CONFIG, "g848",
                  ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"))) {
        consumer.subscribe(List.of("kip848"));
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(60))
            .until(() -> !consumer.poll(java.time.Duration.ofMillis(100)).isEmpty());
        consumer.commitSync();
        String memberId = consumer.groupMetadata().memberId();

        Cli.Result table = Cli.on(broker.bootstrap(), "group", "describe", "g848");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.lines().get(0))
            .startsWith("Group: g848  State: ")
            .contains("Members: 1")
            .contains("Type: consumer  Epoch: 1  Assignment epoch: 1");
        assertThat(table.out()).contains(memberId).contains("CONSUMER-ID");
        JsonNode json = describe(broker.bootstrap(), "g848");
        assertThat(json.get("type").asText()).isEqualTo("consumer");
        assertThat(json.get("memberEpochs").get(0).get("consumerId").asText()).isEqualTo(memberId);
        assertThat(json.get("memberEpochs").get(0).get("memberEpoch").asInt()).isEqualTo(1);
        assertThat(offsets(json)).contains("kip848-0 committed=1 end=1 lag=0");

        Cli.Result list = Cli.on(broker.bootstrap(), "group", "list");
        assertThat(list.out()).contains("g848").contains("consumer");
      }
    }
  }

  @Test
  void describeAndListShowAShareGroup(@TempDir Path dir) throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("queue", 2, (short) 1))).all().get();
      }
      try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
        producer.send(new ProducerRecord<>("queue", 1, null, "x".getBytes())).get();
      }
      try (KafkaShareConsumer<byte[], byte[]> consumer =
          new KafkaShareConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  broker.bootstrap(),
                  ConsumerConfig.GROUP_ID_CONFIG,
                  "sg"),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer())) {
        consumer.subscribe(List.of("queue"));
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(60))
            .until(
                () -> {
                  consumer.poll(java.time.Duration.ofMillis(100));
                  JsonNode d = describe(broker.bootstrap(), "sg");
                  // joined, and both share-partitions initialized by a fetch
                  return d.get("members").asInt() == 1
                      && d.get("partitions").size() == 2
                      && !d.get("partitions").get(0).get("startOffset").isNull()
                      && !d.get("partitions").get(1).get("startOffset").isNull();
                });
        JsonNode json = describe(broker.bootstrap(), "sg");
        assertThat(json.get("type").asText()).isEqualTo("share");
        assertThat(json.get("memberEpochs").get(0).get("memberEpoch").asInt()).isEqualTo(1);
        assertThat(json.get("memberEpochs").get(0).get("partitions").asInt()).isEqualTo(2);
        List<String> partitions = new ArrayList<>();
        for (JsonNode p : json.get("partitions")) {
          partitions.add(
              p.get("topic").asText()
                  + "-"
                  + p.get("partition").asInt()
                  + " start="
                  + p.get("startOffset").asLong()
                  + " end="
                  + p.get("logEndOffset").asLong()
                  + " lag="
                  + p.get("lag").asLong()
                  + " members="
                  + p.get("members").asInt());
        }
        // share.auto.offset.reset=latest: each share-partition starts at its log end
        assertThat(partitions)
            .containsExactly(
                "queue-0 start=0 end=0 lag=0 members=1", "queue-1 start=1 end=1 lag=0 members=1");
        Cli.Result table = Cli.on(broker.bootstrap(), "group", "describe", "sg");
        assertThat(table.lines().get(0))
            .startsWith("Group: sg  State: Stable  Members: 1")
            .contains("Type: share  Epoch: 1");
        assertThat(table.out()).contains("START-OFFSET").contains("LAG");
        Cli.Result list = Cli.on(broker.bootstrap(), "group", "list", "-o", "json");
        JsonNode listed = list.json().get(0);
        assertThat(listed.get("group").asText()).isEqualTo("sg");
        assertThat(listed.get("type").asText()).isEqualToIgnoringCase("share");
        assertThat(listed.get("state").asText()).isEqualToIgnoringCase("stable");
      }
    }
  }

  private static JsonNode describe(String bootstrap, String group) {
    Cli.Result r = Cli.on(bootstrap, "group", "describe", group, "-o", "json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    return r.json().get(0);
  }

  private static List<String> offsets(JsonNode group) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : group.get("partitions")) {
      out.add(
          p.get("topic").asText()
              + "-"
              + p.get("partition").asInt()
              + " committed="
              + p.get("committedOffset").asLong()
              + " end="
              + p.get("logEndOffset").asLong()
              + " lag="
              + p.get("lag").asLong());
    }
    return out;
  }
}
