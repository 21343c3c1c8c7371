package dev.ferry.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.runtime.ManualClock;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;

/**
 * The session cache's slots and Kafka's eviction order (stale first, then the smallest consumer
 * session, for a follower or a larger consumer session), and a session's incremental filtering, on
 * a manual clock.
 */
class FetchSessionCacheTest {

  private final ManualClock clock = new ManualClock(0);
  private final FetchSessionCache cache = new FetchSessionCache(2, 1_000, clock);

  @Test
  void aFullCacheRefusesASmallerConsumerSessionButEvictsForALargerOneOrAFollower() {
    FetchSession small = create(false, 2);
    FetchSession large = create(false, 5);
    assertThat(cache.sessions()).isEqualTo(2);
    assertThat(cache.partitions()).isEqualTo(7);

    assertThat(create(false, 1)).isNull();
    assertThat(cache.evictions()).isZero();

    FetchSession larger = create(false, 3);
    assertThat(larger).isNotNull();
    assertThat(cache.get(small.id())).isNull();
    assertThat(cache.get(large.id())).isSameAs(large);
    assertThat(cache.evictions()).isEqualTo(1);

    FetchSession follower = create(true, 1);
    assertThat(follower).isNotNull();
    assertThat(cache.get(larger.id())).isNull();
    assertThat(cache.partitions()).isEqualTo(6);
  }

  @Test
  void aStaleSessionGoesFirstEvenWhenFollowersHoldTheOthers() {
    FetchSession old = create(true, 3);
    clock.advance(600);
    FetchSession recent = create(true, 3);
    assertThat(create(false, 1)).isNull();
    clock.advance(400); // old unused for 1,000 ms: evictable by anyone
    FetchSession fresh = create(false, 1);
    assertThat(fresh).isNotNull();
    assertThat(cache.get(old.id())).isNull();
    assertThat(cache.get(recent.id())).isSameAs(recent);
  }

  @Test
  void anIncrementalAnswerHoldsOnlyWhatChangedAndTheEpochAdvances() {
    FetchSession s = create(false, 3);
    assertThat(s.epoch()).isEqualTo(1);
    s.update(new FetchRequestData(), clock.milliseconds());
    assertThat(s.epoch()).isEqualTo(2);

    // Partition 1 has records, 2 a new high watermark, 0 nothing new.
    FetchResponseData read = answer(3);
    read.responses()
        .get(0)
        .partitions()
        .get(1)
        .setRecords(
            MemoryRecords.withRecords(
                org.apache.kafka.common.compress.Compression.NONE,
                new org.apache.kafka.common.record.internal.SimpleRecord("x".getBytes())));
    read.responses().get(0).partitions().get(2).setHighWatermark(11);
    FetchResponseData filtered = s.filter(read);
    assertThat(filtered.sessionId()).isEqualTo(s.id());
    assertThat(filtered.responses()).hasSize(1);
    assertThat(filtered.responses().get(0).partitions())
        .extracting(PartitionData::partitionIndex)
        .containsExactly(1, 2);
    // Told now: the same answer again holds only the partition with records.
    FetchResponseData again = answer(3);
    again.responses().get(0).partitions().get(2).setHighWatermark(11);
    assertThat(s.filter(again).responses()).isEmpty();
  }

  private FetchSession create(boolean follower, int partitions) {
    FetchRequestData request = new FetchRequestData();
    List<FetchPartition> list = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      list.add(new FetchPartition().setPartition(p).setFetchOffset(0));
    }
    request.topics().add(new FetchTopic().setTopic("t").setPartitions(list));
    return cache.maybeCreate(follower, false, request, answer(partitions));
  }

  /** An answer for partitions 0..n-1 of t: no records, high watermark 10. */
  private static FetchResponseData answer(int partitions) {
    List<PartitionData> parts = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      parts.add(
          new PartitionData()
              .setPartitionIndex(p)
              .setHighWatermark(10)
              .setLastStableOffset(10)
              .setLogStartOffset(0)
              .setRecords(MemoryRecords.EMPTY));
    }
    FetchResponseData r = new FetchResponseData();
    r.responses().add(new FetchableTopicResponse().setTopic("t").setPartitions(parts));
    return r;
  }
}
