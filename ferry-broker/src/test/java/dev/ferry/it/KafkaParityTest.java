package dev.ferry.it;

import static dev.ferry.it.Records.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.DuplicateResourceException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the protocol conformance suite (ferry-conformance) found Ferry answering differently from
 * Kafka 4.4, seen from the real Java clients: each test is one behaviour an application relies on.
 */
class KafkaParityTest {

  @TempDir Path dir;

  /**
   * KIP-467: a batch to a compacted topic in which some records have no key fails only those with
   * InvalidRecordException; the other records of the batch fail with a general error, so the
   * application can send them again, and they land.
   */
  @Test
  void onlyTheKeylessRecordsOfABatchFailWithInvalidRecordException() throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic("profiles", 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact"))))
            .all()
            .get();
      }
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      // One batch: nothing leaves before flush().
      try (KafkaProducer<byte[], byte[]> producer =
          broker.producer(
              Map.of(
                  ProducerConfig.LINGER_MS_CONFIG, 20_000,
                  ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000))) {
        for (int i = 0; i < 100; i++) {
          byte[] key = i % 10 == 0 ? null : utf8("k" + i);
          sent.add(producer.send(new ProducerRecord<>("profiles", key, utf8("v" + i))));
        }
        producer.flush();
        List<Integer> invalid = new ArrayList<>();
        List<Integer> resend = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
          int index = i;
          ExecutionException e =
              org.junit.jupiter.api.Assertions.assertThrows(
                  ExecutionException.class, () -> sent.get(index).get());
          if (e.getCause() instanceof InvalidRecordException) {
            invalid.add(i);
          } else {
            resend.add(i);
          }
        }
        assertThat(invalid).containsExactly(0, 10, 20, 30, 40, 50, 60, 70, 80, 90);
        assertThat(resend).hasSize(90);

        for (int i : resend) {
          producer.send(new ProducerRecord<>("profiles", utf8("k" + i), utf8("v" + i)));
        }
        producer.flush();
      }
      try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
        consumer.assign(List.of(new TopicPartition("profiles", 0)));
        List<ConsumerRecord<byte[], byte[]>> got =
            Records.pollUntil(consumer, 90, Duration.ofSeconds(30));
        assertThat(got).hasSize(90);
        assertThat(Records.str(got.get(0).key())).isEqualTo("k1");
        assertThat(got.get(0).offset()).isZero();
        assertThat(Records.str(got.get(89).key())).isEqualTo("k99");
      }
    }
  }

  /**
   * Admin.alterConsumerGroupOffsets (OffsetCommit) refuses offsets for a topic or a partition that
   * does not exist, partition by partition, and stores the others.
   */
  @Test
  void offsetsForATopicOrPartitionThatDoesNotExistAreRefused() throws Exception {
    try (TestBroker broker = TestBroker.start(dir);
        Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1))).all().get();
      TopicPartition real = new TopicPartition("orders", 1);
      TopicPartition noPartition = new TopicPartition("orders", 7);
      TopicPartition noTopic = new TopicPartition("no-such-topic", 0);
      AlterConsumerGroupOffsetsResult result =
          admin.alterConsumerGroupOffsets(
              "billing",
              Map.of(
                  real, new OffsetAndMetadata(5),
                  noPartition, new OffsetAndMetadata(5),
                  noTopic, new OffsetAndMetadata(5)));

      result.partitionResult(real).get();
      for (TopicPartition missing : List.of(noPartition, noTopic)) {
        assertThatThrownBy(() -> result.partitionResult(missing).get())
            .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
      }
      assertThat(admin.listConsumerGroupOffsets("billing").partitionsToOffsetAndMetadata().get())
          .containsOnlyKeys(real)
          .containsEntry(real, new OffsetAndMetadata(5, java.util.Optional.empty(), ""));
    }
  }

  /**
   * Kafka 4's group configs: described with their defaults, set and deleted with
   * incrementalAlterConfigs, validated, and kept across a restart like topic configs.
   */
  @Test
  void groupConfigsAreDescribedAlteredAndKept() throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "billing");
      try (Admin admin = broker.admin()) {
        Config defaults = admin.describeConfigs(List.of(group)).all().get().get(group);
        assertThat(defaults.get("consumer.session.timeout.ms").value()).isEqualTo("45000");
        assertThat(defaults.get("consumer.heartbeat.interval.ms").source())
            .isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

        admin
            .incrementalAlterConfigs(
                Map.of(
                    group,
                    List.of(
                        new AlterConfigOp(
                            new ConfigEntry("consumer.session.timeout.ms", "50000"),
                            AlterConfigOp.OpType.SET))))
            .all()
            .get();
        assertThatThrownBy(
                () ->
                    admin
                        .incrementalAlterConfigs(
                            Map.of(
                                group,
                                List.of(
                                    new AlterConfigOp(
                                        new ConfigEntry("consumer.heartbeat.interval.ms", "1"),
                                        AlterConfigOp.OpType.SET))))
                        .all()
                        .get())
            .hasCauseInstanceOf(InvalidConfigurationException.class);
      }
      broker.restart();
      try (Admin admin = broker.admin()) {
        ConfigEntry session =
            admin
                .describeConfigs(List.of(group))
                .all()
                .get()
                .get(group)
                .get("consumer.session.timeout.ms");
        assertThat(session.value()).isEqualTo("50000");
        assertThat(session.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG);
        assertThat(
                admin
                    .describeConfigs(List.of(group))
                    .all()
                    .get()
                    .get(group)
                    .get("consumer.heartbeat.interval.ms")
                    .value())
            .isEqualTo("5000");
      }
    }
  }

  /**
   * As Kafka's controller: a user is altered at most once per AlterUserScramCredentials request;
   * both of its mechanisms in one call fail with DuplicateResourceException and store nothing, one
   * call per mechanism stores both.
   */
  @Test
  void aUserIsAlteredOncePerScramRequest() throws Exception {
    try (TestBroker broker = TestBroker.start(dir);
        Admin admin = broker.admin()) {
      List<UserScramCredentialAlteration> both =
          List.of(
              new UserScramCredentialUpsertion(
                  "ann", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "pw"),
              new UserScramCredentialUpsertion(
                  "ann", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "pw"));
      assertThatThrownBy(() -> admin.alterUserScramCredentials(both).all().get())
          .hasCauseInstanceOf(DuplicateResourceException.class);
      assertThatThrownBy(
              () -> admin.describeUserScramCredentials(List.of("ann")).description("ann").get())
          .as("nothing stored for the refused request")
          .hasCauseInstanceOf(ResourceNotFoundException.class);

      for (UserScramCredentialAlteration one : both) {
        admin.alterUserScramCredentials(List.of(one)).all().get();
      }
      assertThat(
              admin
                  .describeUserScramCredentials(List.of("ann"))
                  .description("ann")
                  .get()
                  .credentialInfos())
          .extracting(ScramCredentialInfo::mechanism, ScramCredentialInfo::iterations)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(ScramMechanism.SCRAM_SHA_256, 4096),
              org.assertj.core.groups.Tuple.tuple(ScramMechanism.SCRAM_SHA_512, 8192));
    }
  }

  /** Without an authorizer every operation is authorized, and the clients are told so. */
  @Test
  void authorizedOperationsAreAllOperationsWithoutAnAuthorizer() throws Exception {
    try (TestBroker broker = TestBroker.start(dir);
        Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get();
      assertThat(
              admin
                  .describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true))
                  .authorizedOperations()
                  .get())
          .containsExactlyInAnyOrderElementsOf(
              EnumSet.of(
                  AclOperation.CREATE,
                  AclOperation.CLUSTER_ACTION,
                  AclOperation.DESCRIBE_CONFIGS,
                  AclOperation.ALTER_CONFIGS,
                  AclOperation.IDEMPOTENT_WRITE,
                  AclOperation.ALTER,
                  AclOperation.DESCRIBE));
      assertThat(
              admin
                  .describeTopics(
                      List.of("orders"),
                      new DescribeTopicsOptions().includeAuthorizedOperations(true))
                  .allTopicNames()
                  .get()
                  .get("orders")
                  .authorizedOperations())
          .containsExactlyInAnyOrderElementsOf(
              EnumSet.of(
                  AclOperation.READ,
                  AclOperation.WRITE,
                  AclOperation.CREATE,
                  AclOperation.DESCRIBE,
                  AclOperation.DELETE,
                  AclOperation.ALTER,
                  AclOperation.DESCRIBE_CONFIGS,
                  AclOperation.ALTER_CONFIGS));
    }
  }
}
