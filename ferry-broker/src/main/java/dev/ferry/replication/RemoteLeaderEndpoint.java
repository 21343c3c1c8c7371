package dev.ferry.replication;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.MetadataView;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader over one blocking {@link BrokerConnection} (through the inter-broker listener's
 * security), opened on first use at the address the leader registered, reopened after {@link
 * #disconnect}.
 */
final class RemoteLeaderEndpoint implements LeaderEndpoint {

  private static final Logger log = LoggerFactory.getLogger(RemoteLeaderEndpoint.class);

  /** ListOffsets v7: replica id and current leader epoch, no newer fields needed. */
  private static final short LIST_OFFSETS_VERSION = 7;

  private final int leaderId;
  private final ReplicationConfig config;
  private final MetadataView metadata;
  private final InterBrokerChannel channel;
  private volatile BrokerConnection connection;

  /**
   * @param channel the inter-broker listener's security (plaintext, TLS, SASL)
   */
  RemoteLeaderEndpoint(
      int leaderId, ReplicationConfig config, MetadataView metadata, InterBrokerChannel channel) {
    this.leaderId = leaderId;
    this.config = config;
    this.metadata = metadata;
    this.channel = channel;
  }

  @Override
  public OffsetForLeaderEpochResponseData offsetsForLeaderEpoch(
      OffsetForLeaderEpochRequestData request) throws IOException {
    return ((OffsetsForLeaderEpochResponse)
            send(
                new OffsetsForLeaderEpochRequest(
                    request, ApiKeys.OFFSET_FOR_LEADER_EPOCH.latestVersion())))
        .data();
  }

  @Override
  public long logEndOffset(TopicPartition tp, int currentLeaderEpoch) throws IOException {
    ListOffsetsTopic topic =
        new ListOffsetsTopic()
            .setName(tp.topic())
            .setPartitions(
                List.of(
                    new ListOffsetsPartition()
                        .setPartitionIndex(tp.partition())
                        .setCurrentLeaderEpoch(currentLeaderEpoch)
                        .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP)));
    ListOffsetsResponse response =
        (ListOffsetsResponse)
            send(
                ListOffsetsRequest.Builder.forReplica(LIST_OFFSETS_VERSION, config.brokerId())
                    .setTargetTimes(List.of(topic))
                    .build(LIST_OFFSETS_VERSION));
    for (ListOffsetsTopicResponse t : response.data().topics()) {
      for (ListOffsetsPartitionResponse p : t.partitions()) {
        if (t.name().equals(tp.topic()) && p.partitionIndex() == tp.partition()) {
          return p.errorCode() == Errors.NONE.code() ? p.offset() : -1;
        }
      }
    }
    return -1;
  }

  @Override
  public FetchResponseData fetch(FetchRequestData request) throws IOException {
    return ((FetchResponse) send(new FetchRequest(request, ApiKeys.FETCH.latestVersion()))).data();
  }

  private AbstractResponse send(AbstractRequest request) throws IOException {
    return connect().send(request);
  }

  private BrokerConnection connect() throws IOException {
    BrokerConnection conn = connection;
    if (conn != null) {
      return conn;
    }
    Optional<BrokerInfo> leader = metadata.liveBroker(leaderId);
    if (leader.isEmpty()) {
      throw new IOException("leader " + leaderId + " is not registered");
    }
    conn =
        new BrokerConnection(
            channel,
            leader.get().host(),
            leader.get().port(),
            "ferry-replica-" + config.brokerId(),
            config.socketTimeoutMs(),
            config.fetchMaxBytes() + 1024 * 1024);
    connection = conn;
    log.info(
        "Replica fetcher connected to leader {} at {}:{}",
        leaderId,
        leader.get().host(),
        leader.get().port());
    return conn;
  }

  @Override
  public void disconnect() {
    BrokerConnection conn = connection;
    connection = null;
    if (conn != null) {
      try {
        conn.close();
      } catch (IOException e) {
        // Nothing more to do with it.
      }
    }
  }

  @Override
  public void close() {
    disconnect();
  }
}
