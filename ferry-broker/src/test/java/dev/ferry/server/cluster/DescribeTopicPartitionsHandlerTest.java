package dev.ferry.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.PartitionState;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.authz.OperationCheck;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.kafka.common.requests.DescribeTopicPartitionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * Pages, cursors and per-topic authorization of DescribeTopicPartitions against an in-memory
 * metadata view: brokers 1 and 2 live, broker 3 gone.
 */
class DescribeTopicPartitionsHandlerTest {

  private final FakeMetadataView metadata = new FakeMetadataView(1);

  DescribeTopicPartitionsHandlerTest() {
    metadata.topic("alpha", 2);
    metadata.topic("beta", 3);
    metadata.topic("secret", 4);
    metadata.topic("zeta", 1);
  }

  private static final OperationCheck NO_SECRET =
      (request, op, type, name) -> !name.equals("secret");

  private DescribeTopicPartitionsResponseData describe(
      int brokerLimit, OperationCheck check, int limit, Cursor cursor, String... topics) {
    List<TopicRequest> named = new ArrayList<>();
    for (String t : topics) {
      named.add(new TopicRequest().setName(t));
    }
    DescribeTopicPartitionsRequest body =
        new DescribeTopicPartitionsRequest.Builder(
                new DescribeTopicPartitionsRequestData()
                    .setTopics(named)
                    .setResponsePartitionLimit(limit)
                    .setCursor(cursor))
            .build((short) 0);
    NetworkRequest request =
        new NetworkRequest(
            new RequestHeader(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, (short) 0, "test", 1),
            body,
            100,
            "conn",
            InetAddress.getLoopbackAddress(),
            0L);
    DescribeTopicPartitionsHandler handler =
        new DescribeTopicPartitionsHandler(new ClusterView(metadata, 1), brokerLimit, check);
    return ((DescribeTopicPartitionsResponse) handler.handle(request).join()).data();
  }

  private static List<String> pages(DescribeTopicPartitionsResponseData r) {
    List<String> out = new ArrayList<>();
    for (DescribeTopicPartitionsResponseTopic t : r.topics()) {
      StringBuilder s = new StringBuilder(t.name()).append(':');
      for (DescribeTopicPartitionsResponsePartition p : t.partitions()) {
        s.append(p.partitionIndex());
      }
      out.add(s.toString());
    }
    return out;
  }

  private static String cursor(DescribeTopicPartitionsResponseData r) {
    return r.nextCursor() == null
        ? null
        : r.nextCursor().topicName() + "/" + r.nextCursor().partitionIndex();
  }

  @Test
  void theSmallerOfClientAndBrokerLimitCutsThePageAndTheCursorResumesIt() {
    DescribeTopicPartitionsResponseData first =
        describe(3, OperationCheck.ALLOW_ALL, 2000, null, "beta", "alpha");
    assertThat(pages(first)).containsExactly("alpha:01", "beta:0");
    assertThat(cursor(first)).isEqualTo("beta/1");
    DescribeTopicPartitionsResponseData second =
        describe(
            3,
            OperationCheck.ALLOW_ALL,
            2000,
            new Cursor().setTopicName("beta").setPartitionIndex(1),
            "beta",
            "alpha");
    assertThat(pages(second)).containsExactly("beta:12");
    assertThat(second.nextCursor()).isNull();
    // The client's limit when smaller; a limit used up at a topic's end points at the next one.
    DescribeTopicPartitionsResponseData exact =
        describe(2000, OperationCheck.ALLOW_ALL, 2, null, "alpha", "beta");
    assertThat(pages(exact)).containsExactly("alpha:01");
    assertThat(cursor(exact)).isEqualTo("beta/0");
  }

  @Test
  void namedTopicsTheSenderMayNotDescribeAreRefusedAfterThePage() {
    DescribeTopicPartitionsResponseData r =
        describe(2000, NO_SECRET, 2000, null, "secret", "zeta", "nope", "alpha");
    assertThat(pages(r)).containsExactly("alpha:01", "nope:", "zeta:0", "secret:");
    Map<String, DescribeTopicPartitionsResponseTopic> byName = new HashMap<>();
    r.topics().forEach(t -> byName.put(t.name(), t));
    assertThat(byName.get("secret").errorCode())
        .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    assertThat(byName.get("secret").topicId()).isEqualTo(Uuid.ZERO_UUID);
    assertThat(byName.get("secret").topicAuthorizedOperations()).isEqualTo(Integer.MIN_VALUE);
    assertThat(byName.get("nope").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    assertThat(byName.get("alpha").topicId()).isEqualTo(metadata.byName.get("alpha").topicId());
  }

  @Test
  void allTopicsLeaveOutHiddenOnesWhichNeitherCountNorShowInTheCursor() {
    DescribeTopicPartitionsResponseData r = describe(2000, NO_SECRET, 5, null);
    assertThat(pages(r)).containsExactly("alpha:01", "beta:012");
    assertThat(cursor(r)).isEqualTo("zeta/0");
    DescribeTopicPartitionsResponseData rest =
        describe(2000, NO_SECRET, 5, new Cursor().setTopicName("zeta").setPartitionIndex(0));
    assertThat(pages(rest)).containsExactly("zeta:0");
    assertThat(rest.nextCursor()).isNull();
  }

  @Test
  void aPartitionWithoutLiveLeaderHasLeaderMinusOneAndNoErrorAndNoEligibleLeaders() {
    metadata.states.put("zeta-0", new PartitionState(3, 7, List.of(3), 0, 0));
    DescribeTopicPartitionsResponsePartition p =
        describe(2000, OperationCheck.ALLOW_ALL, 2000, null, "zeta")
            .topics()
            .iterator()
            .next()
            .partitions()
            .get(0);
    assertThat(p.leaderId()).isEqualTo(-1);
    assertThat(p.leaderEpoch()).isEqualTo(7);
    assertThat(p.errorCode()).isEqualTo(Errors.NONE.code());
    assertThat(p.replicaNodes()).containsExactly(3, 1);
    assertThat(p.isrNodes()).containsExactly(3);
    assertThat(p.offlineReplicas()).containsExactly(3);
    assertThat(p.eligibleLeaderReplicas()).isEmpty();
    assertThat(p.lastKnownElr()).isEmpty();
  }

  @Test
  void topicAuthorizedOperationsAreWhatTheCheckAllows() {
    OperationCheck describeOnly =
        (request, op, type, name) ->
            type == ResourceType.TOPIC && (op == AclOperation.DESCRIBE || op == AclOperation.READ);
    DescribeTopicPartitionsResponseTopic t =
        describe(2000, describeOnly, 2000, null, "alpha").topics().iterator().next();
    assertThat(t.topicAuthorizedOperations())
        .isEqualTo((1 << AclOperation.DESCRIBE.code()) | (1 << AclOperation.READ.code()));
  }

  @Test
  void aCursorOutsideTheNamedTopicsOrNegativeIsAnInvalidRequest() {
    DescribeTopicPartitionsResponseData r =
        describe(
            2000,
            OperationCheck.ALLOW_ALL,
            2000,
            new Cursor().setTopicName("alpha").setPartitionIndex(0),
            "beta");
    assertThat(r.topics())
        .extracting(t -> t.errorCode())
        .containsExactly(Errors.INVALID_REQUEST.code());
    DescribeTopicPartitionsResponseData negative =
        describe(
            2000,
            OperationCheck.ALLOW_ALL,
            2000,
            new Cursor().setTopicName("alpha").setPartitionIndex(-1),
            "alpha");
    assertThat(negative.topics())
        .extracting(t -> t.errorCode())
        .containsExactly(Errors.INVALID_REQUEST.code());
  }
}
