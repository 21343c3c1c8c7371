package dev.ferry.server;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.TopicTableMetadataView;
import dev.ferry.network.NetworkRequest;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.runtime.ManualClock;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.LogManager;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * What a produce or fetch handler needs, without a broker: partitions this broker (id 0) leads, on
 * logs in a temporary directory, a {@link ReplicaManager} without a metadata store, a static
 * metadata view of their topics, and one manual clock for the logs, the replication and every
 * purgatory timeout. No sockets, no ZooKeeper.
 */
public final class LocalPartitions implements AutoCloseable {

  public static final int BROKER = 0;
  public static final int FOLLOWER = 1;

  public final ManualClock clock = new ManualClock(1_000_000L);
  public final LogConfig logConfig = LogConfig.fromMap(LogConfig.defaultValues());
  public final LogManager logManager;
  public final ReplicaManager replicas;
  public final StaticMetadata metadata = new StaticMetadata();

  public LocalPartitions(Path dir) {
    logManager = new LogManager(List.of(dir), logConfig, 300_000, clock);
    logManager.startup();
    replicas = new ReplicaManager(logManager, clock, clock);
  }

  /**
   * Creates {@code topic}-0 led here at {@code leaderEpoch}, with {@code isr} in sync (this broker
   * and maybe {@link #FOLLOWER}) and {@code minInsyncReplicas}.
   */
  public Partition lead(String topic, int leaderEpoch, List<Integer> isr, int minInsyncReplicas) {
    TopicMetadata t = metadata.add(topic);
    return replicas.makeLeader(
        new TopicPartition(topic, 0),
        t.topicId(),
        logConfig,
        new PartitionState(BROKER, leaderEpoch, isr, 1, leaderEpoch),
        List.of(BROKER, FOLLOWER),
        minInsyncReplicas);
  }

  /** Appends {@code values} as one batch, as a producer with acks=1 would. */
  public void append(String topic, String... values) {
    replicas.appendAsLeader(new TopicPartition(topic, 0), records(clock, values), (short) 1);
  }

  public static MemoryRecords records(ManualClock clock, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(clock.milliseconds(), values[i].getBytes());
    }
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  /** The record values in {@code records} (a fetch response's records: a {@code Records}). */
  public static List<String> values(BaseRecords records) {
    return values((Records) records);
  }

  /** The record values in {@code records}, in order. */
  public static List<String> values(Records records) {
    List<String> out = new ArrayList<>();
    for (RecordBatch batch : records.batches()) {
      for (Record r : batch) {
        byte[] b = new byte[r.valueSize()];
        r.value().get(b);
        out.add(new String(b));
      }
    }
    return out;
  }

  /** {@code body} as the network layer hands it to a handler. */
  public static NetworkRequest request(ApiKeys api, AbstractRequest body, int correlationId) {
    return new NetworkRequest(
        new RequestHeader(api, body.version(), "test-client", correlationId),
        body,
        100,
        "test-connection",
        InetAddress.getLoopbackAddress(),
        0L);
  }

  @Override
  public void close() {
    replicas.close();
    logManager.close();
  }

  /** Topics by name and id; nothing else in the cluster. */
  public static final class StaticMetadata extends TopicTableMetadataView {

    TopicMetadata add(String topic) {
      return byName.computeIfAbsent(
          topic,
          name ->
              new TopicMetadata(
                  name, Uuid.randomUuid(), Map.of(0, List.of(BROKER, FOLLOWER)), Map.of()));
    }

    @Override
    public String clusterId() {
      return "local";
    }

    @Override
    public Collection<BrokerInfo> liveBrokers() {
      return List.of();
    }

    @Override
    public Optional<BrokerInfo> liveBroker(int brokerId) {
      return Optional.empty();
    }

    @Override
    public Optional<PartitionState> partitionState(String topic, int partition) {
      return Optional.empty();
    }
  }
}
