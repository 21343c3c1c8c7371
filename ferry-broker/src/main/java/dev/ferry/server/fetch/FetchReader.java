package dev.ferry.server.fetch;

import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.replication.FetchIsolation;
import dev.ferry.replication.FetchParams;
import dev.ferry.replication.LogReadInfo;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.replication.ReplicationThrottle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.FetchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one Fetch request's partitions from the local logs into a response. Record bytes are never
 * touched: each partition contributes a file slice that the network layer sends with transferTo.
 */
final class FetchReader {

  private static final Logger log = LoggerFactory.getLogger(FetchReader.class);

  private final MetadataView metadata;
  private final ReplicaManager replicaManager;
  private final ReplicationThrottle leaderThrottle;

  FetchReader(
      MetadataView metadata, ReplicaManager replicaManager, ReplicationThrottle leaderThrottle) {
    this.metadata = metadata;
    this.replicaManager = replicaManager;
    this.leaderThrottle = leaderThrottle;
  }

  /** True if a follower's fetch of {@code tp} gets no data now (replication throttle). */
  boolean leaderThrottled(TopicPartition tp, FetchParams params) {
    if (params.replicaId() < 0 || !leaderThrottle.isThrottled(tp)) {
      return false;
    }
    Partition p = replicaManager.partition(tp);
    return p != null && leaderThrottle.shouldThrottle(tp, p.isr().contains(params.replicaId()));
  }

  /**
   * Tells, before a partition is read, that the fetcher has already been told everything it holds:
   * a fetch session's consumer partitions that are caught up and unchanged are then left out of the
   * answer without reading them.
   */
  @FunctionalInterface
  interface QuietCheck {
    boolean quiet(FetchPartition fp, Partition partition);
  }

  /** What one pass over the request found. */
  record Result(FetchResponseData response, int bytes, boolean anyError) {}

  /**
   * @param params who fetches: a follower reads up to the log end offset and its fetch offset is
   *     recorded as its progress; a consumer reads up to the bound of its isolation level
   */
  Result read(FetchRequestData req, short version, FetchParams params) {
    return read(req, version, params, null);
  }

  /** As {@link #read(FetchRequestData, short, FetchParams)}, leaving out quiet partitions. */
  Result read(FetchRequestData req, short version, FetchParams params, QuietCheck quiet) {
    boolean byId = version >= 13;
    int remaining = req.maxBytes() <= 0 ? Integer.MAX_VALUE : req.maxBytes();
    int total = 0;
    boolean anyError = false;
    List<FetchableTopicResponse> topics = new ArrayList<>(req.topics().size());
    for (FetchTopic ft : req.topics()) {
      Optional<TopicMetadata> topic =
          byId ? metadata.topic(ft.topicId()) : metadata.topic(ft.topic());
      List<PartitionData> partitions = new ArrayList<>(ft.partitions().size());
      for (FetchPartition fp : ft.partitions()) {
        PartitionData pd;
        if (topic.isEmpty()) {
          pd = error(fp, byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
        } else if (fp.partition() < 0 || fp.partition() >= topic.get().partitionCount()) {
          pd = error(fp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        } else {
          TopicPartition tp = new TopicPartition(topic.get().name(), fp.partition());
          if (quiet != null) {
            Partition p = replicaManager.partition(tp);
            if (p != null && quiet.quiet(fp, p)) {
              continue;
            }
          }
          pd = readPartition(tp, fp, remaining, total == 0, params);
        }
        if (pd.errorCode() != Errors.NONE.code()) {
          anyError = true;
        }
        int size = pd.records() == null ? 0 : pd.records().sizeInBytes();
        total += size;
        remaining = Math.max(0, remaining - size);
        partitions.add(pd);
      }
      FetchableTopicResponse tr = new FetchableTopicResponse().setPartitions(partitions);
      if (byId) {
        tr.setTopicId(ft.topicId());
      } else {
        tr.setTopic(ft.topic());
      }
      topics.add(tr);
    }
    FetchResponseData data =
        new FetchResponseData()
            .setErrorCode(Errors.NONE.code())
            .setSessionId(0)
            .setResponses(topics);
    return new Result(data, total, anyError);
  }

  /** True if any requested partition now has data past its fetch offset. */
  boolean hasNewData(FetchRequestData req, short version, FetchParams params) {
    boolean byId = version >= 13;
    for (FetchTopic ft : req.topics()) {
      Optional<TopicMetadata> topic =
          byId ? metadata.topic(ft.topicId()) : metadata.topic(ft.topic());
      if (topic.isEmpty()) {
        continue;
      }
      for (FetchPartition fp : ft.partitions()) {
        Partition p =
            replicaManager.partition(new TopicPartition(topic.get().name(), fp.partition()));
        if (p == null) {
          continue;
        }
        if (p.fetchableEndOffset(params.isolation()) > fp.fetchOffset()
            && !leaderThrottled(p.topicPartition(), params)) {
          return true;
        }
      }
    }
    return false;
  }

  private PartitionData readPartition(
      TopicPartition tp,
      FetchPartition fp,
      int maxBytes,
      boolean firstWithData,
      FetchParams params) {
    Partition partition = replicaManager.partition(tp);
    if (partition == null) {
      return readError(fp, Errors.NOT_LEADER_OR_FOLLOWER);
    }
    int limit = Math.min(fp.partitionMaxBytes(), maxBytes);
    try {
      LogReadInfo r =
          partition.read(params, fp.fetchOffset(), fp.currentLeaderEpoch(), limit, firstWithData);
      Records records = r.records();
      if (params.replicaId() >= 0
          && leaderThrottle.isThrottled(tp)
          && !partition.isr().contains(params.replicaId())) {
        // A throttled replica catching up: its progress is recorded, its data waits for quota.
        if (leaderThrottle.isQuotaExceeded()) {
          records = MemoryRecords.EMPTY;
        } else {
          leaderThrottle.record(records.sizeInBytes());
        }
      }
      return new PartitionData()
          .setPartitionIndex(fp.partition())
          .setErrorCode(Errors.NONE.code())
          .setHighWatermark(r.highWatermark())
          .setLastStableOffset(r.lastStableOffset())
          .setLogStartOffset(r.logStartOffset())
          // Only a read_committed read carries the aborted transactions list (empty or not);
          // Kafka leaves it null otherwise.
          .setAbortedTransactions(
              params.isolation() == FetchIsolation.TXN_COMMITTED ? r.abortedTransactions() : null)
          .setRecords(records);
    } catch (OffsetOutOfRangeException e) {
      if (params.replicaId() >= 0) {
        // A Ferry follower restarts its log at the leader's log start when it fell below it.
        return readError(fp, Errors.OFFSET_OUT_OF_RANGE)
            .setHighWatermark(partition.highWatermark())
            .setLastStableOffset(partition.lastStableOffset())
            .setLogStartOffset(partition.logStartOffset());
      }
      // As in Kafka, a consumer is told no offsets (-1): it resets its position with ListOffsets
      // under its auto.offset.reset policy.
      return readError(fp, Errors.OFFSET_OUT_OF_RANGE);
    } catch (ApiException e) {
      return readError(fp, Errors.forException(e));
    } catch (RuntimeException e) {
      log.error("Fetch from {} at offset {} failed", tp, fp.fetchOffset(), e);
      return readError(fp, Errors.forException(e));
    }
  }

  /**
   * A partition the log could not be read for: as in Kafka, no aborted-transactions list at all (a
   * request-level refusal such as an unknown topic carries an empty one).
   */
  private static PartitionData readError(FetchPartition fp, Errors error) {
    return error(fp, error).setAbortedTransactions(null);
  }

  private static PartitionData error(FetchPartition fp, Errors error) {
    return new PartitionData()
        .setPartitionIndex(fp.partition())
        .setErrorCode(error.code())
        .setHighWatermark(FetchResponse.INVALID_HIGH_WATERMARK)
        .setLastStableOffset(FetchResponse.INVALID_LAST_STABLE_OFFSET)
        .setLogStartOffset(FetchResponse.INVALID_LOG_START_OFFSET)
        .setRecords(MemoryRecords.EMPTY);
  }
}
