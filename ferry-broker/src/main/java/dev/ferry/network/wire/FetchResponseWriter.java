package dev.ferry.network.wire;

import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.message.FetchResponseData.EpochEndOffset;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.LeaderIdAndEpoch;
import org.apache.kafka.common.message.FetchResponseData.NodeEndpoint;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.FetchResponseData.SnapshotId;
import org.apache.kafka.common.network.Send;

/**
 * Writes a Fetch response (header included) in one pass, byte for byte as kafka-clients' generated
 * {@code FetchResponseData} serializes it: the fields of every partition go into one heap buffer,
 * cut around each partition's records, which go out as their own send (a log file region with
 * sendfile). Unknown tagged fields are not written: Ferry never sets any on a response.
 */
public final class FetchResponseWriter {

  /** Versions this writer encodes (Kafka 4 brokers answer Fetch v4 and later). */
  public static final short LOWEST_VERSION = 4;

  public static final short HIGHEST_VERSION = FetchResponseData.HIGHEST_SUPPORTED_VERSION;

  private static final int FLEXIBLE_FROM = 12;

  private FetchResponseWriter() {}

  public static boolean supports(short version) {
    return version >= LOWEST_VERSION && version <= HIGHEST_VERSION;
  }

  /** The size-prefixed response to request {@code correlationId} in {@code version}. */
  public static Send write(int correlationId, FetchResponseData data, short version) {
    boolean flexible = version >= FLEXIBLE_FROM;
    WireWriter w = new WireWriter(64 + 96 * partitionCount(data.responses()));
    w.responseHeader(correlationId, flexible);
    w.int32(data.throttleTimeMs());
    if (version >= 7) {
      w.int16(data.errorCode());
      w.int32(data.sessionId());
    }
    w.arrayLength(data.responses().size(), flexible);
    for (FetchableTopicResponse topic : data.responses()) {
      if (version >= 13) {
        w.uuid(topic.topicId());
      } else {
        w.string(topic.topic(), flexible);
      }
      w.arrayLength(topic.partitions().size(), flexible);
      for (PartitionData p : topic.partitions()) {
        writePartition(w, p, version, flexible);
      }
      if (flexible) {
        w.noTaggedFields();
      }
    }
    if (flexible) {
      w.nodeEndpointsOrNoTaggedFields(
          version >= 16 ? data.nodeEndpoints() : List.<NodeEndpoint>of(),
          NodeEndpoint::nodeId,
          NodeEndpoint::host,
          NodeEndpoint::port,
          NodeEndpoint::rack);
    }
    return w.send();
  }

  private static int partitionCount(List<FetchableTopicResponse> topics) {
    int n = 0;
    for (FetchableTopicResponse t : topics) {
      n += t.partitions().size();
    }
    return n;
  }

  private static void writePartition(
      WireWriter w, PartitionData p, short version, boolean flexible) {
    w.int32(p.partitionIndex());
    w.int16(p.errorCode());
    w.int64(p.highWatermark());
    w.int64(p.lastStableOffset());
    if (version >= 5) {
      w.int64(p.logStartOffset());
    }
    List<AbortedTransaction> aborted = p.abortedTransactions();
    w.nullableArrayLength(aborted == null ? 0 : aborted.size(), aborted == null, flexible);
    if (aborted != null) {
      for (AbortedTransaction a : aborted) {
        w.int64(a.producerId());
        w.int64(a.firstOffset());
        if (flexible) {
          w.noTaggedFields();
        }
      }
    }
    if (version >= 11) {
      w.int32(p.preferredReadReplica());
    }
    w.records(p.records(), flexible);
    if (flexible) {
      EpochEndOffset diverging = p.divergingEpoch();
      LeaderIdAndEpoch leader = p.currentLeader();
      SnapshotId snapshot = p.snapshotId();
      boolean hasDiverging = diverging.epoch() != -1 || diverging.endOffset() != -1;
      boolean hasLeader = leader.leaderId() != -1 || leader.leaderEpoch() != -1;
      boolean hasSnapshot = snapshot.endOffset() != -1 || snapshot.epoch() != -1;
      w.unsignedVarint((hasDiverging ? 1 : 0) + (hasLeader ? 1 : 0) + (hasSnapshot ? 1 : 0));
      if (hasDiverging) {
        w.unsignedVarint(0);
        w.unsignedVarint(13); // epoch, end offset, no tagged fields
        w.int32(diverging.epoch());
        w.int64(diverging.endOffset());
        w.noTaggedFields();
      }
      if (hasLeader) {
        w.unsignedVarint(1);
        w.leaderIdAndEpoch(leader.leaderId(), leader.leaderEpoch());
      }
      if (hasSnapshot) {
        w.unsignedVarint(2);
        w.unsignedVarint(13); // end offset, epoch, no tagged fields
        w.int64(snapshot.endOffset());
        w.int32(snapshot.epoch());
        w.noTaggedFields();
      }
    }
  }
}
