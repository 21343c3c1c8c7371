package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The AdminClient's topic and config operations against a real broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminOperationsTest {

  @TempDir static Path dir;
  private TestBroker broker;
  private Admin admin;

  @BeforeAll
  void start() {
    broker = TestBroker.start(dir);
    admin = broker.admin();
  }

  @AfterAll
  void stop() {
    admin.close();
    broker.close();
  }

  @Test
  void createDescribeListAndDeleteTopics() throws Exception {
    CreateTopicsResult created =
        admin.createTopics(
            List.of(
                new NewTopic("orders", 4, (short) 1),
                new NewTopic("audit", 1, (short) 1).configs(Map.of("retention.ms", "3600000"))));
    created.all().get();
    assertThat(created.numPartitions("orders").get()).isEqualTo(4);
    assertThat(created.topicId("orders").get()).isNotNull();
    assertThat(admin.listTopics().names().get()).contains("orders", "audit");

    TopicDescription orders =
        admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
    assertThat(orders.partitions()).hasSize(4);
    for (TopicPartitionInfo p : orders.partitions()) {
      assertThat(p.leader().id()).isEqualTo(0);
      assertThat(p.replicas()).extracting(n -> n.id()).containsExactly(0);
      assertThat(p.isr()).extracting(n -> n.id()).containsExactly(0);
    }
    assertThat(orders.topicId()).isEqualTo(created.topicId("orders").get());

    assertThatThrownBy(
            () -> admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get())
        .hasCauseInstanceOf(TopicExistsException.class);

    admin.deleteTopics(List.of("audit")).all().get();
    assertThat(admin.listTopics().names().get()).contains("orders").doesNotContain("audit");
    assertThatThrownBy(() -> admin.deleteTopics(List.of("audit")).all().get())
        .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
  }

  @Test
  void deletedTopicCanBeRecreatedEmpty() throws Exception {
    admin.createTopics(List.of(new NewTopic("phoenix", 1, (short) 1))).all().get();
    try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
      p.send(new ProducerRecord<>("phoenix", Records.utf8("old"))).get();
    }
    admin.deleteTopics(List.of("phoenix")).all().get();
    admin.createTopics(List.of(new NewTopic("phoenix", 1, (short) 1))).all().get();
    TopicPartition tp = new TopicPartition("phoenix", 0);
    var latest =
        admin
            .listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
            .all()
            .get();
    assertThat(latest.get(tp).offset()).isZero();
  }

  @Test
  void createPartitionsGrowsTopicAndRejectsShrinking() throws Exception {
    admin.createTopics(List.of(new NewTopic("growing", 2, (short) 1))).all().get();
    admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(5))).all().get();
    TopicDescription d =
        admin.describeTopics(List.of("growing")).allTopicNames().get().get("growing");
    assertThat(d.partitions())
        .extracting(TopicPartitionInfo::partition)
        .containsExactly(0, 1, 2, 3, 4);

    assertThatThrownBy(
            () ->
                admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(3))).all().get())
        .hasCauseInstanceOf(InvalidPartitionsException.class);

    // The new partitions take writes.
    try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
      assertThat(p.send(new ProducerRecord<>("growing", 4, null, Records.utf8("x"))).get().offset())
          .isZero();
    }
  }

  @Test
  void describeAndAlterTopicConfigs() throws Exception {
    admin
        .createTopics(
            List.of(
                new NewTopic("configured", 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact"))))
        .all()
        .get();
    ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "configured");

    Config before = admin.describeConfigs(List.of(res)).all().get().get(res);
    assertThat(before.get("cleanup.policy").value()).isEqualTo("compact");
    assertThat(before.get("cleanup.policy").source())
        .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    assertThat(before.get("retention.ms").value()).isEqualTo("604800000");
    assertThat(before.get("retention.ms").source())
        .isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

    admin
        .incrementalAlterConfigs(
            Map.of(
                res,
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(
                        new ConfigEntry("cleanup.policy", ""), AlterConfigOp.OpType.DELETE),
                    new AlterConfigOp(
                        new ConfigEntry("segment.bytes", "1048576"), AlterConfigOp.OpType.SET))))
        .all()
        .get();
    Config after = admin.describeConfigs(List.of(res)).all().get().get(res);
    assertThat(after.get("retention.ms").value()).isEqualTo("1000");
    assertThat(after.get("segment.bytes").value()).isEqualTo("1048576");
    assertThat(after.get("cleanup.policy").value()).isEqualTo("delete");
    Set<String> overridden =
        after.entries().stream()
            .filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
            .map(ConfigEntry::name)
            .collect(Collectors.toSet());
    assertThat(overridden).containsExactlyInAnyOrder("retention.ms", "segment.bytes");

    ExecutionException bad =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () ->
                admin
                    .incrementalAlterConfigs(
                        Map.of(
                            res,
                            List.of(
                                new AlterConfigOp(
                                    new ConfigEntry("no.such.config", "1"),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get());
    assertThat(bad.getCause()).isInstanceOf(InvalidConfigurationException.class);
  }

  @Test
  void deleteRecordsMovesLogStartOffset() throws Exception {
    admin.createTopics(List.of(new NewTopic("trimmed", 1, (short) 1))).all().get();
    TopicPartition tp = new TopicPartition("trimmed", 0);
    try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
      for (int i = 0; i < 10; i++) {
        p.send(new ProducerRecord<>("trimmed", 0, null, Records.utf8("r" + i))).get();
      }
    }
    long low =
        admin
            .deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(6)))
            .lowWatermarks()
            .get(tp)
            .get()
            .lowWatermark();
    assertThat(low).isEqualTo(6);
    var earliest =
        admin
            .listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.earliest()))
            .all()
            .get();
    assertThat(earliest.get(tp).offset()).isEqualTo(6);
    try (var consumer = broker.consumer(Map.of())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      var got = Records.pollUntil(consumer, 4, java.time.Duration.ofSeconds(20));
      assertThat(got).extracting(r -> r.offset()).containsExactly(6L, 7L, 8L, 9L);
      assertThat(got)
          .extracting(r -> Records.str(r.value()))
          .containsExactly("r6", "r7", "r8", "r9");
    }
  }
}
