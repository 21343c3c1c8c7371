package dev.ferry.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.metadata.PartitionState;
import dev.ferry.network.NetworkRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

/**
 * Metadata answers built from a fake view whose version moves with every change: the partitions
 * part of a topic is reused while the version stays and rebuilt, with the new leaders, ISRs and
 * live brokers, when it moves; a view without a version is never reused.
 */
class MetadataHandlerTest {

  private final FakeMetadataView metadata = new FakeMetadataView(0);
  private final MetadataHandler handler =
      new MetadataHandler(new ClusterView(metadata, 1), (TopicAdmin) null, false, 1, (short) 1);

  MetadataHandlerTest() {
    metadata.topic("alpha", 5);
    metadata.topic("beta", 2);
  }

  private MetadataResponseData request(String... topics) {
    List<MetadataRequestTopic> named = new ArrayList<>();
    for (String t : topics) {
      named.add(new MetadataRequestTopic().setName(t));
    }
    MetadataRequest body =
        new MetadataRequest.Builder(
                new MetadataRequestData().setTopics(named).setAllowAutoTopicCreation(false))
            .build((short) 12);
    NetworkRequest request =
        new NetworkRequest(
            new RequestHeader(ApiKeys.METADATA, (short) 12, "test", 1),
            body,
            100,
            "conn",
            InetAddress.getLoopbackAddress(),
            0L);
    return ((MetadataResponse) handler.handle(request).join()).data();
  }

  private static List<String> describe(MetadataResponseTopic topic) {
    List<String> out = new ArrayList<>();
    for (MetadataResponsePartition p : topic.partitions()) {
      out.add(
          p.partitionIndex()
              + ":"
              + Errors.forCode(p.errorCode())
              + " leader "
              + p.leaderId()
              + " epoch "
              + p.leaderEpoch()
              + " replicas "
              + p.replicaNodes()
              + " isr "
              + p.isrNodes()
              + " offline "
              + p.offlineReplicas());
    }
    return out;
  }

  @Test
  void answersEveryPartitionInOrderWithLeadersOfLiveBrokersOnly() {
    MetadataResponseData data = request("alpha", "missing");
    assertThat(describe(data.topics().find("alpha")))
        .containsExactly(
            "0:LEADER_NOT_AVAILABLE leader -1 epoch 0 replicas [3, 1] isr [3, 1] offline [3]",
            "1:NONE leader 1 epoch 0 replicas [1, 2] isr [1, 2] offline []",
            "2:LEADER_NOT_AVAILABLE leader -1 epoch 0 replicas [3, 1] isr [3, 1] offline [3]",
            "3:NONE leader 1 epoch 0 replicas [1, 2] isr [1, 2] offline []",
            "4:LEADER_NOT_AVAILABLE leader -1 epoch 0 replicas [3, 1] isr [3, 1] offline [3]");
    assertThat(data.topics().find("missing").errorCode())
        .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
  }

  @Test
  void reusesThePartitionsWhileTheVersionStays() {
    List<MetadataResponsePartition> first = request("alpha").topics().find("alpha").partitions();
    List<MetadataResponsePartition> second =
        request("alpha", "beta").topics().find("alpha").partitions();
    assertThat(second).isSameAs(first);
    assertThat(describe(request("beta").topics().find("beta")))
        .containsExactly(
            "0:LEADER_NOT_AVAILABLE leader -1 epoch 0 replicas [3, 1] isr [3, 1] offline [3]",
            "1:NONE leader 1 epoch 0 replicas [1, 2] isr [1, 2] offline []");
  }

  @Test
  void rebuildsAfterALeaderChange() {
    request("alpha");
    metadata.setState("alpha", 1, new PartitionState(2, 1, List.of(2), 0, 1));
    assertThat(describe(request("alpha").topics().find("alpha")))
        .contains("1:NONE leader 2 epoch 1 replicas [1, 2] isr [2] offline []");
  }

  @Test
  void rebuildsAfterABrokerComesBack() {
    request("alpha");
    metadata.setLive(1, 2, 3);
    assertThat(describe(request("alpha").topics().find("alpha")))
        .containsExactly(
            "0:NONE leader 3 epoch 0 replicas [3, 1] isr [3, 1] offline []",
            "1:NONE leader 1 epoch 0 replicas [1, 2] isr [1, 2] offline []",
            "2:NONE leader 3 epoch 0 replicas [3, 1] isr [3, 1] offline []",
            "3:NONE leader 1 epoch 0 replicas [1, 2] isr [1, 2] offline []",
            "4:NONE leader 3 epoch 0 replicas [3, 1] isr [3, 1] offline []");
  }

  @Test
  void rebuildsEveryTimeForAViewWithoutVersion() {
    metadata.versioned = false;
    request("alpha");
    // A change the view does not announce is still seen: nothing was reused.
    metadata.states.put("alpha-3", new PartitionState(2, 4, List.of(1, 2), 0, 2));
    assertThat(describe(request("alpha").topics().find("alpha")))
        .contains("3:NONE leader 2 epoch 4 replicas [1, 2] isr [1, 2] offline []");
  }

  @Test
  void answersARecreatedTopicWithItsNewPartitions() {
    request("beta");
    metadata.topic("beta", 3);
    MetadataResponseTopic beta = request("beta").topics().find("beta");
    assertThat(beta.topicId()).isEqualTo(metadata.byName.get("beta").topicId());
    assertThat(beta.partitions()).extracting(p -> p.partitionIndex()).containsExactly(0, 1, 2);
  }
}
