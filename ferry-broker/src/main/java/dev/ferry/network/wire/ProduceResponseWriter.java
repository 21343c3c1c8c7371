package dev.ferry.network.wire;

import java.util.List;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.LeaderIdAndEpoch;
import org.apache.kafka.common.message.ProduceResponseData.NodeEndpoint;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.network.Send;

/**
 * Writes a Produce response (header included) in one pass into one buffer, byte for byte as
 * kafka-clients' generated {@code ProduceResponseData} serializes it, without its two passes (size,
 * then write) and serialization cache. Unknown tagged fields are not written: Ferry never sets any
 * on a response.
 */
public final class ProduceResponseWriter {

  /** Versions this writer encodes: those the generated message class knows. */
  public static final short LOWEST_VERSION = ProduceResponseData.LOWEST_SUPPORTED_VERSION;

  public static final short HIGHEST_VERSION = ProduceResponseData.HIGHEST_SUPPORTED_VERSION;

  private static final int FLEXIBLE_FROM = 9;

  private ProduceResponseWriter() {}

  public static boolean supports(short version) {
    return version >= LOWEST_VERSION && version <= HIGHEST_VERSION;
  }

  /** The size-prefixed response to request {@code correlationId} in {@code version}. */
  public static Send write(int correlationId, ProduceResponseData data, short version) {
    boolean flexible = version >= FLEXIBLE_FROM;
    WireWriter w = new WireWriter(32 + 64 * data.responses().size());
    w.responseHeader(correlationId, flexible);
    w.arrayLength(data.responses().size(), flexible);
    for (TopicProduceResponse topic : data.responses()) {
      if (version >= 13) {
        w.uuid(topic.topicId());
      } else {
        w.string(topic.name(), flexible);
      }
      w.arrayLength(topic.partitionResponses().size(), flexible);
      for (PartitionProduceResponse p : topic.partitionResponses()) {
        writePartition(w, p, version, flexible);
      }
      if (flexible) {
        w.noTaggedFields();
      }
    }
    if (version >= 1) {
      w.int32(data.throttleTimeMs());
    }
    if (flexible) {
      w.nodeEndpointsOrNoTaggedFields(
          version >= 10 ? data.nodeEndpoints() : List.<NodeEndpoint>of(),
          NodeEndpoint::nodeId,
          NodeEndpoint::host,
          NodeEndpoint::port,
          NodeEndpoint::rack);
    }
    return w.send();
  }

  private static void writePartition(
      WireWriter w, PartitionProduceResponse p, short version, boolean flexible) {
    w.int32(p.index());
    w.int16(p.errorCode());
    w.int64(p.baseOffset());
    if (version >= 2) {
      w.int64(p.logAppendTimeMs());
    }
    if (version >= 5) {
      w.int64(p.logStartOffset());
    }
    if (version >= 8) {
      w.arrayLength(p.recordErrors().size(), flexible);
      for (BatchIndexAndErrorMessage e : p.recordErrors()) {
        w.int32(e.batchIndex());
        w.string(e.batchIndexErrorMessage(), flexible);
        if (flexible) {
          w.noTaggedFields();
        }
      }
      w.string(p.errorMessage(), flexible);
    }
    if (flexible) {
      LeaderIdAndEpoch leader = p.currentLeader();
      if (version >= 10 && (leader.leaderId() != -1 || leader.leaderEpoch() != -1)) {
        w.unsignedVarint(1);
        w.unsignedVarint(0); // tag 0: current_leader
        w.leaderIdAndEpoch(leader.leaderId(), leader.leaderEpoch());
      } else {
        w.noTaggedFields();
      }
    }
  }
}
