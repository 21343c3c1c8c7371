package dev.ferry.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * A leader without a network: answers a fetcher's requests from local leader {@link Partition}s
 * (the same checks a real leader's handlers make, through the same {@link Partition} operations),
 * with scripted answers injected ahead of the real ones. Counts the requests it got.
 */
final class FakeLeaderEndpoint implements LeaderEndpoint {

  private final int followerId;
  private final Map<Uuid, String> topicNames = new HashMap<>();
  private final Map<TopicPartition, Partition> partitions = new HashMap<>();
  private final Deque<Errors> scriptedFetchErrors = new ArrayDeque<>();
  int epochRequests;
  int logEndRequests;
  int fetchRequests;
  int disconnects;

  FakeLeaderEndpoint(int followerId) {
    this.followerId = followerId;
  }

  FakeLeaderEndpoint lead(Partition partition) {
    partitions.put(partition.topicPartition(), partition);
    topicNames.put(partition.topicId(), partition.topicPartition().topic());
    return this;
  }

  /** The next fetch answers every partition with {@code error} instead of reading. */
  void failNextFetchWith(Errors error) {
    scriptedFetchErrors.add(error);
  }

  @Override
  public long logEndOffset(TopicPartition tp, int currentLeaderEpoch) {
    logEndRequests++;
    try {
      return partitions
          .get(tp)
          .fetchOffsetForTimestamp(
              ListOffsetsRequest.LATEST_TIMESTAMP, currentLeaderEpoch, FetchIsolation.LOG_END)
          .offset();
    } catch (ApiException e) {
      return -1;
    }
  }

  @Override
  public OffsetForLeaderEpochResponseData offsetsForLeaderEpoch(
      OffsetForLeaderEpochRequestData request) {
    epochRequests++;
    OffsetForLeaderEpochResponseData out = new OffsetForLeaderEpochResponseData();
    for (OffsetForLeaderTopic t : request.topics()) {
      OffsetForLeaderTopicResult result = new OffsetForLeaderTopicResult().setTopic(t.topic());
      for (OffsetForLeaderPartition p : t.partitions()) {
        EpochEndOffset answer = new EpochEndOffset().setPartition(p.partition());
        Partition leader = partitions.get(new TopicPartition(t.topic(), p.partition()));
        try {
          dev.ferry.storage.EpochEndOffset found =
              leader.lastOffsetForLeaderEpoch(p.currentLeaderEpoch(), p.leaderEpoch());
          answer.setLeaderEpoch(found.leaderEpoch()).setEndOffset(found.endOffset());
        } catch (ApiException e) {
          answer.setErrorCode(Errors.forException(e).code());
        }
        result.partitions().add(answer);
      }
      out.topics().add(result);
    }
    return out;
  }

  @Override
  public FetchResponseData fetch(FetchRequestData request) {
    fetchRequests++;
    Errors scripted = scriptedFetchErrors.poll();
    List<FetchableTopicResponse> topics = new ArrayList<>();
    for (FetchTopic t : request.topics()) {
      FetchableTopicResponse tr = new FetchableTopicResponse().setTopicId(t.topicId());
      for (FetchPartition fp : t.partitions()) {
        Partition leader =
            partitions.get(new TopicPartition(topicNames.get(t.topicId()), fp.partition()));
        PartitionData pd =
            new PartitionData().setPartitionIndex(fp.partition()).setRecords(MemoryRecords.EMPTY);
        if (scripted != null) {
          pd.setErrorCode(scripted.code()).setLogStartOffset(leader.logStartOffset());
        } else {
          try {
            LogReadInfo r =
                leader.read(
                    FetchParams.follower(followerId),
                    fp.fetchOffset(),
                    fp.currentLeaderEpoch(),
                    fp.partitionMaxBytes(),
                    true);
            pd.setHighWatermark(r.highWatermark())
                .setLogStartOffset(r.logStartOffset())
                .setRecords(inMemory(r.records()));
          } catch (ApiException e) {
            pd.setErrorCode(Errors.forException(e).code())
                .setHighWatermark(leader.highWatermark())
                .setLogStartOffset(leader.logStartOffset());
          }
        }
        tr.partitions().add(pd);
      }
      topics.add(tr);
    }
    return new FetchResponseData().setResponses(topics);
  }

  /** What the wire does to a file slice: the follower receives its bytes. */
  private static MemoryRecords inMemory(Records records) {
    if (records instanceof MemoryRecords memory) {
      return memory;
    }
    ByteBuffer buffer = ByteBuffer.allocate(records.sizeInBytes());
    try {
      ((FileRecords) records).readInto(buffer, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return MemoryRecords.readableRecords(buffer);
  }

  @Override
  public void disconnect() {
    disconnects++;
  }

  @Override
  public void close() {}
}
