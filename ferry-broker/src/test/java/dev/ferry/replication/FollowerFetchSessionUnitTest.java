package dev.ferry.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The follower's session bookkeeping: full, then only changes and forgotten partitions. */
class FollowerFetchSessionUnitTest {

  private static final Uuid TOPIC = Uuid.randomUuid();
  private final FollowerFetchSession session = new FollowerFetchSession();

  @Test
  void fullThenIncrementalThenFullAgainAfterASessionError() {
    FetchRequestData first = prepare(part(0, 10), part(1, 20));
    assertThat(first.sessionEpoch()).isZero();
    assertThat(first.sessionId()).isZero();
    assertThat(first.topics().get(0).partitions()).hasSize(2);
    session.onResponse(new FetchResponseData().setSessionId(42));

    // Partition 0 moved, 1 did not, 2 is new.
    FetchRequestData second = prepare(part(0, 15), part(1, 20), part(2, 0));
    assertThat(second.sessionId()).isEqualTo(42);
    assertThat(second.sessionEpoch()).isEqualTo(1);
    assertThat(second.topics().get(0).partitions())
        .extracting(FetchPartition::partition)
        .containsExactly(0, 2);
    assertThat(second.forgottenTopicsData()).isEmpty();
    session.onResponse(new FetchResponseData().setSessionId(42));

    // Nothing moved; partition 1 no longer fetched.
    FetchRequestData third = prepare(part(0, 15), part(2, 0));
    assertThat(third.sessionEpoch()).isEqualTo(2);
    assertThat(third.topics()).isEmpty();
    assertThat(third.forgottenTopicsData()).hasSize(1);
    assertThat(third.forgottenTopicsData().get(0).topicId()).isEqualTo(TOPIC);
    assertThat(third.forgottenTopicsData().get(0).partitions()).containsExactly(1);
    session.onResponse(
        new FetchResponseData().setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()));

    FetchRequestData fourth = prepare(part(0, 15), part(2, 0));
    assertThat(fourth.sessionId()).isZero();
    assertThat(fourth.sessionEpoch()).isZero();
    assertThat(fourth.topics().get(0).partitions()).hasSize(2);
    // A leader without room for a session: every fetch stays full.
    session.onResponse(new FetchResponseData().setSessionId(0));
    assertThat(prepare(part(0, 15)).sessionEpoch()).isZero();
  }

  private FetchRequestData prepare(FetchPartition... partitions) {
    Map<Uuid, List<FetchPartition>> wanted = new LinkedHashMap<>();
    wanted.put(TOPIC, List.of(partitions));
    FetchRequestData data = new FetchRequestData();
    session.prepare(data, wanted);
    return data;
  }

  private static FetchPartition part(int index, long offset) {
    return new FetchPartition()
        .setPartition(index)
        .setFetchOffset(offset)
        .setCurrentLeaderEpoch(0)
        .setPartitionMaxBytes(1 << 20);
  }
}
