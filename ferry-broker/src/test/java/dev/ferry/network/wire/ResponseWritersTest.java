package dev.ferry.network.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-written Produce and Fetch response writers against kafka-clients' generated
 * serialization, byte for byte, in every version they write: plain answers, errors, KIP-467 record
 * errors, KIP-951 leader hints and node endpoints (tagged fields), aborted transactions, diverging
 * epochs, snapshot ids, and records in memory, in a file and absent.
 */
class ResponseWritersTest {

  private static final int CORRELATION_ID = 0x01020304;
  private static final Uuid TOPIC_ID = Uuid.fromString("Fl4dPR3hQP6y0Qm8uQ7DEw");

  @TempDir File dir;

  private int files;

  // ---- Produce ----

  private static ProduceResponseData produceOk() {
    ProduceResponseData data = new ProduceResponseData();
    data.responses().add(produceTopic("orders", 0, 1, 2));
    return data;
  }

  private static TopicProduceResponse produceTopic(String name, int... partitions) {
    TopicProduceResponse t = new TopicProduceResponse().setName(name).setTopicId(TOPIC_ID);
    for (int p : partitions) {
      t.partitionResponses()
          .add(
              new PartitionProduceResponse()
                  .setIndex(p)
                  .setErrorCode(Errors.NONE.code())
                  .setBaseOffset(1_000_000_007L * (p + 1))
                  .setLogAppendTimeMs(p == 1 ? 1_700_000_000_123L : -1)
                  .setLogStartOffset(42));
    }
    return t;
  }

  /** Errors of every kind; the KIP-951 leader hints only where the version has them. */
  private static ProduceResponseData produceErrors(short version) {
    ProduceResponseData data = produceOk().setThrottleTimeMs(250);
    data.responses().add(produceTopic("payments-\u00e9t\u00e9", 7));
    PartitionProduceResponse refused =
        data.responses().find("payments-\u00e9t\u00e9", TOPIC_ID).partitionResponses().get(0);
    refused
        .setErrorCode(Errors.INVALID_RECORD.code())
        .setBaseOffset(-1)
        .setErrorMessage("record 3 has no key")
        .recordErrors()
        .add(new BatchIndexAndErrorMessage().setBatchIndex(3).setBatchIndexErrorMessage("no key"));
    refused
        .recordErrors()
        .add(new BatchIndexAndErrorMessage().setBatchIndex(9).setBatchIndexErrorMessage(null));
    PartitionProduceResponse notLeader =
        data.responses().find("orders", TOPIC_ID).partitionResponses().get(2);
    notLeader.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
    if (version < 10) {
      return data;
    }
    notLeader.setCurrentLeader(
        new ProduceResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(17));
    data.nodeEndpoints()
        .add(
            new ProduceResponseData.NodeEndpoint()
                .setNodeId(2)
                .setHost("broker-2.example")
                .setPort(9093)
                .setRack("rack-b"));
    data.nodeEndpoints()
        .add(
            new ProduceResponseData.NodeEndpoint()
                .setNodeId(3)
                .setHost("broker-3")
                .setPort(9094)
                .setRack(null));
    return data;
  }

  @Test
  void produceResponsesMatchTheGeneratedCodecInEveryVersion() throws IOException {
    int compared = 0;
    for (short v = ProduceResponseWriter.LOWEST_VERSION;
        v <= ProduceResponseWriter.HIGHEST_VERSION;
        v++) {
      for (ProduceResponseData data :
          List.of(produceOk(), produceErrors(v), new ProduceResponseData())) {
        byte[] expected = generated(ApiKeys.PRODUCE, data, v);
        byte[] actual = bytes(ProduceResponseWriter.write(CORRELATION_ID, data, v));
        assertThat(actual).as("Produce v%d %s", v, data).isEqualTo(expected);
        compared++;
      }
    }
    assertThat(compared)
        .isEqualTo(
            3 * (ProduceResponseWriter.HIGHEST_VERSION - ProduceResponseWriter.LOWEST_VERSION + 1));
  }

  // ---- Fetch ----

  private MemoryRecords batch(long baseOffset, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] =
          new SimpleRecord(1_700_000_000_000L + i, ("k" + i).getBytes(), values[i].getBytes());
    }
    return MemoryRecords.withRecords(baseOffset, Compression.NONE, records);
  }

  private FileRecords fileRecords() throws IOException {
    FileRecords file = FileRecords.open(new File(dir, (files++) + ".log"));
    file.append(batch(0, "a", "bb", "ccc"));
    file.append(batch(3, "dddd"));
    file.append(batch(4, "eeeee", "f"));
    file.flush();
    // A slice as a fetch reads it: from the second batch to the end.
    int second = batch(0, "a", "bb", "ccc").sizeInBytes();
    return file.slice(second, file.sizeInBytes() - second);
  }

  private FetchResponseData fetchWithRecords(short version) throws IOException {
    FetchResponseData data = new FetchResponseData().setSessionId(version >= 7 ? 123456 : 0);
    FetchableTopicResponse t = new FetchableTopicResponse().setTopic("orders").setTopicId(TOPIC_ID);
    t.partitions()
        .add(
            new PartitionData()
                .setPartitionIndex(0)
                .setHighWatermark(6)
                .setLastStableOffset(6)
                .setLogStartOffset(0)
                .setRecords(fileRecords()));
    t.partitions()
        .add(
            new PartitionData()
                .setPartitionIndex(1)
                .setHighWatermark(10)
                .setLastStableOffset(8)
                .setLogStartOffset(2)
                .setAbortedTransactions(
                    new ArrayList<>(
                        List.of(
                            new AbortedTransaction().setProducerId(77).setFirstOffset(3),
                            new AbortedTransaction().setProducerId(78).setFirstOffset(5))))
                .setRecords(batch(2, "x", "y")));
    t.partitions()
        .add(
            new PartitionData()
                .setPartitionIndex(2)
                .setHighWatermark(0)
                .setLastStableOffset(0)
                .setLogStartOffset(0)
                .setAbortedTransactions(new ArrayList<>())
                .setRecords(MemoryRecords.EMPTY));
    data.responses().add(t);
    FetchableTopicResponse other =
        new FetchableTopicResponse().setTopic("audit").setTopicId(Uuid.ONE_UUID);
    other
        .partitions()
        .add(
            new PartitionData()
                .setPartitionIndex(4)
                .setHighWatermark(3)
                .setLastStableOffset(3)
                .setLogStartOffset(1)
                .setRecords(batch(1, "z")));
    data.responses().add(other);
    return data;
  }

  private static FetchResponseData fetchErrors(short version) {
    FetchResponseData data = new FetchResponseData().setThrottleTimeMs(30).setSessionId(0);
    FetchableTopicResponse t = new FetchableTopicResponse().setTopic("orders").setTopicId(TOPIC_ID);
    t.partitions()
        .add(
            new PartitionData()
                .setPartitionIndex(0)
                .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code())
                .setHighWatermark(-1)
                .setLastStableOffset(-1)
                .setLogStartOffset(-1)
                .setAbortedTransactions(null)
                .setRecords(null));
    PartitionData hinted =
        new PartitionData()
            .setPartitionIndex(1)
            .setErrorCode(Errors.FENCED_LEADER_EPOCH.code())
            .setRecords(MemoryRecords.EMPTY);
    if (version >= 11) {
      hinted.setPreferredReadReplica(3);
    }
    if (version >= 12) {
      hinted
          .setCurrentLeader(
              new FetchResponseData.LeaderIdAndEpoch().setLeaderId(2).setLeaderEpoch(9))
          .setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(4).setEndOffset(1234))
          .setSnapshotId(new FetchResponseData.SnapshotId().setEndOffset(99).setEpoch(3));
    }
    t.partitions().add(hinted);
    data.responses().add(t);
    if (version >= 16) {
      data.nodeEndpoints()
          .add(
              new FetchResponseData.NodeEndpoint()
                  .setNodeId(2)
                  .setHost("broker-2")
                  .setPort(9092)
                  .setRack("r1"));
    }
    return data;
  }

  private static FetchResponseData fetchSessionError() {
    return new FetchResponseData()
        .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code())
        .setSessionId(0);
  }

  @Test
  void fetchResponsesMatchTheGeneratedCodecInEveryVersion() throws IOException {
    int compared = 0;
    for (short v = FetchResponseWriter.LOWEST_VERSION;
        v <= FetchResponseWriter.HIGHEST_VERSION;
        v++) {
      List<FetchResponseData> cases = new ArrayList<>();
      cases.add(fetchWithRecords(v));
      cases.add(fetchErrors(v));
      cases.add(fetchSessionError());
      for (FetchResponseData data : cases) {
        byte[] expected = generated(ApiKeys.FETCH, data, v);
        byte[] actual = bytes(FetchResponseWriter.write(CORRELATION_ID, data, v));
        assertThat(actual).as("Fetch v%d %s", v, data).isEqualTo(expected);
        compared++;
      }
    }
    assertThat(compared)
        .isEqualTo(
            3 * (FetchResponseWriter.HIGHEST_VERSION - FetchResponseWriter.LOWEST_VERSION + 1));
  }

  @Test
  void aLargeResponseGrowsItsBufferWithoutLosingTheFrameSize() throws IOException {
    ProduceResponseData data = new ProduceResponseData();
    for (int t = 0; t < 50; t++) {
      data.responses().add(produceTopic("topic-with-a-long-name-" + t, 0, 1, 2, 3, 4, 5, 6, 7));
    }
    for (short v : new short[] {8, 12}) {
      assertThat(bytes(ProduceResponseWriter.write(CORRELATION_ID, data, v)))
          .isEqualTo(generated(ApiKeys.PRODUCE, data, v));
    }
    FetchResponseData fetch = fetchWithRecords((short) 17);
    for (int t = 0; t < 40; t++) {
      FetchableTopicResponse topic =
          new FetchableTopicResponse().setTopic("many-" + t).setTopicId(Uuid.randomUuid());
      topic.partitions().add(new PartitionData().setPartitionIndex(t).setRecords(batch(t, "v")));
      fetch.responses().add(topic);
    }
    for (short v : new short[] {11, 17}) {
      assertThat(bytes(FetchResponseWriter.write(CORRELATION_ID, fetch, v)))
          .isEqualTo(generated(ApiKeys.FETCH, fetch, v));
    }
  }

  // ---- helpers ----

  /** The generated codec's bytes (size prefix, header, body). */
  private static byte[] generated(ApiKeys api, Message data, short version) throws IOException {
    return bytes(
        SendBuilder.buildResponseSend(
            new ResponseHeader(CORRELATION_ID, api.responseHeaderVersion(version)), data, version));
  }

  private static byte[] bytes(Send send) throws IOException {
    CollectingChannel channel = new CollectingChannel();
    while (!send.completed()) {
      send.writeTo(channel);
    }
    byte[] out = channel.out.toByteArray();
    assertThat((long) out.length).isEqualTo(send.size());
    assertThat(ByteBuffer.wrap(out).getInt()).isEqualTo(out.length - 4);
    return out;
  }

  /** A channel that keeps what is written, file regions included. */
  private static final class CollectingChannel implements TransferableChannel {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @Override
    public boolean hasPendingWrites() {
      return false;
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count)
        throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate((int) count);
      while (buffer.hasRemaining()) {
        int n = fileChannel.read(buffer, position + buffer.position());
        if (n < 0) {
          break;
        }
      }
      out.write(buffer.array(), 0, buffer.position());
      return buffer.position();
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      byte[] b = new byte[n];
      src.get(b);
      out.write(b, 0, n);
      return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
      long n = 0;
      for (int i = offset; i < offset + length; i++) {
        n += write(srcs[i]);
      }
      return n;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
      return write(srcs, 0, srcs.length);
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
