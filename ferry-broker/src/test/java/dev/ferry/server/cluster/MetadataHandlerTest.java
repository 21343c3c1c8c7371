package dev.ferry.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.MetadataListener;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.NetworkRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
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

  private final FakeMetadata metadata = new FakeMetadata();
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

  /**
   * Even partitions on brokers 3 and 1, odd ones on 1 and 2, each led by its first replica; brokers
   * 1 and 2 live. Every change raises the version.
   */
  private static final class FakeMetadata implements MetadataView {
    final Map<String, TopicMetadata> byName = new TreeMap<>();
    final Map<String, PartitionState> states = new HashMap<>();
    final TreeSet<Integer> live = new TreeSet<>(List.of(1, 2));
    long version;
    boolean versioned = true;

    void topic(String name, int partitions) {
      Map<Integer, List<Integer>> assignment = new TreeMap<>();
      // Inserted in descending order: the answer must still list them by index.
      for (int p = partitions - 1; p >= 0; p--) {
        assignment.put(p, p % 2 == 0 ? List.of(3, 1) : List.of(1, 2));
      }
      byName.put(name, new TopicMetadata(name, Uuid.randomUuid(), assignment, Map.of()));
      for (int p = 0; p < partitions; p++) {
        List<Integer> replicas = assignment.get(p);
        states.put(name + "-" + p, new PartitionState(replicas.get(0), 0, replicas, 0, 0));
      }
      version++;
    }

    void setState(String topic, int partition, PartitionState state) {
      states.put(topic + "-" + partition, state);
      version++;
    }

    void setLive(Integer... ids) {
      live.clear();
      live.addAll(List.of(ids));
      version++;
    }

    @Override
    public long version() {
      return versioned ? version : -1;
    }

    @Override
    public String clusterId() {
      return "fake";
    }

    @Override
    public Collection<BrokerInfo> liveBrokers() {
      List<BrokerInfo> out = new ArrayList<>();
      for (int id : live) {
        out.add(new BrokerInfo(id, "127.0.0.1", id, null));
      }
      return out;
    }

    @Override
    public Optional<BrokerInfo> liveBroker(int brokerId) {
      return liveBrokers().stream().filter(b -> b.id() == brokerId).findFirst();
    }

    @Override
    public Optional<TopicMetadata> topic(String name) {
      return Optional.ofNullable(byName.get(name));
    }

    @Override
    public Optional<TopicMetadata> topic(Uuid topicId) {
      return byName.values().stream().filter(t -> t.topicId().equals(topicId)).findFirst();
    }

    @Override
    public Collection<TopicMetadata> topics() {
      return List.copyOf(byName.values());
    }

    @Override
    public Optional<PartitionState> partitionState(String topic, int partition) {
      return Optional.ofNullable(states.get(topic + "-" + partition));
    }

    @Override
    public void addListener(MetadataListener listener) {}
  }
}
