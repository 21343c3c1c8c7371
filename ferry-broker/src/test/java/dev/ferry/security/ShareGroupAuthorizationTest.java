package dev.ferry.security;

import static dev.ferry.security.DenialMatrixTest.acl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.it.GroupConfigs;
import dev.ferry.it.RawKafkaConnection;
import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.apache.kafka.common.requests.ShareFetchResponse;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's authorization of the share-group APIs under the ACL authorizer: a member needs READ on
 * the group and DESCRIBE on its subscribed topics, ShareFetch READ on the group and on each topic,
 * ShareGroupDescribe and DescribeShareGroupOffsets DESCRIBE on the group, AlterShareGroupOffsets
 * READ on the group and topics, DeleteShareGroupOffsets DELETE on the group.
 */
class ShareGroupAuthorizationTest {

  private static final String GROUP = "alice-share";

  @TempDir static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = AuthorizerTestBroker.start(dir, Map.of("group.share.heartbeat.interval.ms", "300"));
    AuthorizerTestBroker.createTopicsAndAcls(
        broker,
        List.of(new NewTopic("jobs", 1, (short) 1), new NewTopic("secret", 1, (short) 1)),
        List.of(
            acl(ResourceType.GROUP, GROUP, "User:alice", AclOperation.READ),
            acl(ResourceType.TOPIC, "jobs", "User:alice", AclOperation.READ),
            // bob may use the group but not see the topic
            acl(ResourceType.GROUP, GROUP, "User:bob", AclOperation.READ),
            acl(ResourceType.GROUP, "anon-share", "User:ANONYMOUS", AclOperation.READ),
            acl(ResourceType.TOPIC, "jobs", "User:ANONYMOUS", AclOperation.DESCRIBE)));
    try (Admin admin = Admin.create(client("admin"))) {
      GroupConfigs.shareFromEarliest(admin, GROUP);
    }
    AuthorizerTestBroker.produce(
        broker, "jobs", List.of("job-0", "job-1", "job-2", "job-3", "job-4"));
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static Properties client(String user) {
    return AuthorizerTestBroker.client(broker, user);
  }

  private static KafkaShareConsumer<String, String> consumer(String user, String group) {
    Properties p = client(user);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    KafkaShareConsumer<String, String> c =
        new KafkaShareConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    c.subscribe(List.of("jobs"));
    return c;
  }

  @Test
  void aMemberWithReadOnGroupAndTopicConsumesAndTheOthersAreRefused() throws Exception {
    try (KafkaShareConsumer<String, String> alice = consumer("alice", GROUP)) {
      List<String> values = new ArrayList<>();
      Awaitility.await()
          .atMost(30, TimeUnit.SECONDS)
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : alice.poll(Duration.ofMillis(100))) {
                  values.add(r.value());
                }
                return values.size() >= 5;
              });
      alice.commitSync();
      assertThat(values).containsExactly("job-0", "job-1", "job-2", "job-3", "job-4");
    }
    // No ACL for alice on this group.
    try (KafkaShareConsumer<String, String> alice = consumer("alice", "forbidden-share")) {
      assertThatThrownBy(() -> pollUntilFailure(alice))
          .isInstanceOf(GroupAuthorizationException.class);
    }
    // bob may use the group, but not describe its topic.
    try (KafkaShareConsumer<String, String> bob = consumer("bob", GROUP)) {
      assertThatThrownBy(() -> pollUntilFailure(bob))
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  /** Polls until the consumer reports its failure (bounded). */
  private static void pollUntilFailure(KafkaShareConsumer<String, String> c) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      c.poll(Duration.ofMillis(100));
    }
  }

  @Test
  void shareFetchNeedsReadOnTheGroupAndOnEachTopic() throws Exception {
    Uuid jobs = broker.broker().metadata().topic("jobs").orElseThrow().topicId();
    try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      ShareFetchResponse denied = (ShareFetchResponse) c.send(shareFetch("no-acl-share", jobs));
      assertThat(denied.error()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED);
      // ANONYMOUS may use anon-share and describe jobs, but not read it.
      ShareFetchResponse topicDenied = (ShareFetchResponse) c.send(shareFetch("anon-share", jobs));
      assertThat(topicDenied.error()).isEqualTo(Errors.NONE);
      var partitions = topicDenied.data().responses().find(jobs).partitions();
      assertThat(partitions).hasSize(1);
      assertThat(partitions.get(0).partitionIndex()).isZero();
      assertThat(Errors.forCode(partitions.get(0).errorCode()))
          .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED);
    }
  }

  private static ShareFetchRequest shareFetch(String group, Uuid topicId) {
    ShareFetchRequestData.FetchTopicCollection topics =
        new ShareFetchRequestData.FetchTopicCollection();
    ShareFetchRequestData.FetchTopic t = new ShareFetchRequestData.FetchTopic().setTopicId(topicId);
    t.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
    topics.add(t);
    ShareFetchRequestData data =
        new ShareFetchRequestData()
            .setGroupId(group)
            .setMemberId(Uuid.randomUuid().toString())
            .setShareSessionEpoch(0)
            .setMaxWaitMs(0)
            .setMinBytes(1)
            .setMaxBytes(1 << 20)
            .setMaxRecords(10)
            .setBatchSize(10)
            .setTopics(topics);
    return new ShareFetchRequest.Builder(data).build(ApiKeys.SHARE_FETCH.latestVersion(false));
  }

  @Test
  void theOffsetAdminApisCheckTheGroupAndTheTopics() throws Exception {
    String group = "admin-checked";
    try (Admin admin = Admin.create(client("admin"))) {
      admin
          .createAcls(
              List.of(
                  acl(ResourceType.GROUP, group, "User:alice", AclOperation.READ),
                  acl(ResourceType.TOPIC, "jobs", "User:alice", AclOperation.READ)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (Admin alice = Admin.create(client("alice"))) {
      // READ on the group and on jobs, nothing on secret (altering creates the empty group).
      var altered =
          alice.alterShareGroupOffsets(
              group,
              Map.of(new TopicPartition("jobs", 0), 2L, new TopicPartition("secret", 0), 0L));
      altered.partitionResult(new TopicPartition("jobs", 0)).get();
      assertThatThrownBy(() -> altered.partitionResult(new TopicPartition("secret", 0)).get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TopicAuthorizationException.class);
      // READ on the group implies DESCRIBE.
      assertThat(
              alice
                  .listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                  .partitionsToOffsetInfo(group)
                  .get()
                  .get(new TopicPartition("jobs", 0))
                  .startOffset())
          .isEqualTo(2L);
      // DELETE on the group is needed to delete offsets.
      assertThatThrownBy(() -> alice.deleteShareGroupOffsets(group, Set.of("jobs")).all().get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(GroupAuthorizationException.class);
    }
    try (Admin bob = Admin.create(client("bob"))) {
      assertThatThrownBy(() -> bob.describeShareGroups(List.of(group)).all().get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(GroupAuthorizationException.class);
      assertThatThrownBy(
              () ->
                  bob.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                      .all()
                      .get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(GroupAuthorizationException.class);
      assertThatThrownBy(
              () ->
                  bob.alterShareGroupOffsets(group, Map.of(new TopicPartition("jobs", 0), 0L))
                      .all()
                      .get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(GroupAuthorizationException.class);
    }
  }
}
