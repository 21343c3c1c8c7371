package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry topic ...} against a real broker: tables, JSON, and the error paths. */
class TopicCommandsTest {

  @TempDir static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = TestBroker.start(dir);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void createListDescribeAlterGrowDelete() throws Exception {
    Cli.Result created =
        Cli.on(
            broker.bootstrap(),
            "topic",
            "create",
            "orders",
            "--partitions",
            "3",
            "--config",
            "retention.ms=3600000");
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.out())
        .isEqualTo("Created topic orders with 3 partition(s), replication factor 1.\n");

    Cli.Result createdJson =
        Cli.on(broker.bootstrap(), "topic", "create", "audit", "-p", "1", "-o", "json");
    assertThat(createdJson.exitCode()).as(createdJson.err()).isZero();
    assertThat(createdJson.json().get("topic").asText()).isEqualTo("audit");
    assertThat(createdJson.json().get("partitions").asInt()).isEqualTo(1);
    assertThat(createdJson.json().get("topicId").asText()).hasSize(22);

    Cli.Result list = Cli.on(broker.bootstrap(), "topic", "list");
    assertThat(list.exitCode()).isZero();
    assertThat(list.lines())
        .containsExactly(
            "TOPIC   PARTITIONS  REPLICATION-FACTOR",
            "audit   1           1",
            "orders  3           1");

    // Two records in partition 1: its log end moves to 2, the others stay at 0.
    try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
      producer.send(new ProducerRecord<>("orders", 1, null, "a".getBytes())).get();
      producer.send(new ProducerRecord<>("orders", 1, null, "b".getBytes())).get();
    }
    Cli.Result describe = Cli.on(broker.bootstrap(), "topic", "describe", "orders", "-o", "json");
    assertThat(describe.exitCode()).as(describe.err()).isZero();
    JsonNode topic = describe.json().get(0);
    assertThat(topic.get("name").asText()).isEqualTo("orders");
    assertThat(topic.get("configs").get("retention.ms").asText()).isEqualTo("3600000");
    List<String> partitions = new ArrayList<>();
    for (JsonNode p : topic.get("partitions")) {
      partitions.add(
          p.get("partition").asInt()
              + " leader="
              + p.get("leader").asInt()
              + " replicas="
              + p.get("replicas")
              + " isr="
              + p.get("isr")
              + " "
              + p.get("logStartOffset").asLong()
              + ".."
              + p.get("logEndOffset").asLong());
    }
    assertThat(partitions)
        .containsExactly(
            "0 leader=0 replicas=[0] isr=[0] 0..0",
            "1 leader=0 replicas=[0] isr=[0] 0..2",
            "2 leader=0 replicas=[0] isr=[0] 0..0");

    Cli.Result table = Cli.on(broker.bootstrap(), "topic", "describe", "orders");
    assertThat(table.lines().get(0))
        .startsWith("Topic: orders  TopicId: ")
        .endsWith("Partitions: 3  ReplicationFactor: 1  Configs: retention.ms=3600000");
    assertThat(table.lines().subList(1, 5))
        .containsExactly(
            "PARTITION  LEADER  REPLICAS  ISR  LOG-START-OFFSET  LOG-END-OFFSET",
            "0          0       0         0    0                 0",
            "1          0       0         0    0                 2",
            "2          0       0         0    0                 0");

    Cli.Result altered =
        Cli.on(
            broker.bootstrap(),
            "topic",
            "alter-config",
            "orders",
            "--set",
            "cleanup.policy=compact",
            "--delete",
            "retention.ms");
    assertThat(altered.exitCode()).as(altered.err()).isZero();
    JsonNode configs =
        Cli.on(broker.bootstrap(), "topic", "describe", "orders", "-o", "json")
            .json()
            .get(0)
            .get("configs");
    assertThat(configs.has("retention.ms")).isFalse();
    assertThat(configs.get("cleanup.policy").asText()).isEqualTo("compact");

    Cli.Result grown =
        Cli.on(broker.bootstrap(), "topic", "add-partitions", "orders", "--partitions", "5");
    assertThat(grown.exitCode()).as(grown.err()).isZero();
    assertThat(grown.out()).isEqualTo("Topic orders now has 5 partitions (was 3).\n");
    Cli.Result listJson = Cli.on(broker.bootstrap(), "topic", "list", "-o", "json");
    assertThat(listJson.json().findValuesAsText("name")).containsExactly("audit", "orders");
    assertThat(listJson.json().get(1).get("partitions").asInt()).isEqualTo(5);

    Cli.Result deleted = Cli.on(broker.bootstrap(), "topic", "delete", "orders", "audit");
    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    assertThat(deleted.lines()).containsExactly("Deleted topic orders.", "Deleted topic audit.");
    assertThat(Cli.on(broker.bootstrap(), "topic", "list").lines())
        .containsExactly("TOPIC  PARTITIONS  REPLICATION-FACTOR");
  }

  @Test
  void unknownTopicIsOneLineAndExitOne() {
    for (String sub : List.of("describe", "delete")) {
      Cli.Result r = Cli.on(broker.bootstrap(), "topic", sub, "no-such-topic");
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).isEqualTo("ferry: error: topic 'no-such-topic' does not exist\n");
    }
    Cli.Result grow =
        Cli.on(broker.bootstrap(), "topic", "add-partitions", "no-such-topic", "-p", "2");
    assertThat(grow.exitCode()).isEqualTo(1);
    assertThat(grow.err()).isEqualTo("ferry: error: topic 'no-such-topic' does not exist\n");
  }

  @Test
  void createExistingFailsUnlessIfNotExists() {
    assertThat(Cli.on(broker.bootstrap(), "topic", "create", "twice").exitCode()).isZero();
    Cli.Result again = Cli.on(broker.bootstrap(), "topic", "create", "twice");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).startsWith("ferry: error: ").contains("twice").contains("exists");
    assertThat(again.err().lines()).hasSize(1);
    assertThat(Cli.on(broker.bootstrap(), "topic", "create", "twice", "--if-not-exists").exitCode())
        .isZero();
    // Leave the shared broker without topics for the other tests' listings.
    assertThat(Cli.on(broker.bootstrap(), "topic", "delete", "twice").exitCode()).isZero();
  }

  @Test
  void badArgumentsExitTwoWithOneLine() {
    Cli.Result missing = Cli.on(broker.bootstrap(), "topic", "add-partitions", "x");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo(
            "ferry: error: Missing required option: '--partitions=N' "
                + "(see 'ferry topic add-partitions --help')\n");
    Cli.Result notNumber = Cli.on(broker.bootstrap(), "topic", "create", "x", "-p", "many");
    assertThat(notNumber.exitCode()).isEqualTo(2);
    assertThat(notNumber.err().lines()).hasSize(1);
    assertThat(notNumber.err()).contains("'many'");
    Cli.Result nothing = Cli.on(broker.bootstrap(), "topic", "alter-config", "x");
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.err()).startsWith("ferry: error: nothing to change");
  }
}
