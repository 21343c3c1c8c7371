package dev.ferry.reliability;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Valid requests of several APIs, at every version the broker advertises, encoded with the
 * kafka-clients codec: the seeds the {@link Mutator} starts from. Produce requests target a scratch
 * topic; Fetch and ListOffsets read the canary (reads must leave it unchanged). Admin APIs that
 * change or delete topics are deliberately left out: a valid mutation of them could delete the
 * canary, which says nothing about robustness.
 */
final class RequestTemplates {

  /** A template: its API, version and the encoded header + body (no size prefix). */
  record Template(
      ApiKeys api, short version, byte[] payload, int recordsOffset, int recordsLength) {

    /** Whether the payload carries a record batch at {@code recordsOffset}. */
    boolean hasRecords() {
      return recordsOffset >= 0;
    }
  }

  private RequestTemplates() {}

  /**
   * @param versions the broker's advertised [min, max] per API
   * @param scratchTopic name and id of the topic produce requests write to
   * @param canaryTopic name and id of the topic reads target
   */
  static List<Template> build(
      Map<ApiKeys, short[]> versions,
      String scratchTopic,
      Uuid scratchId,
      String canaryTopic,
      Uuid canaryId) {
    List<Template> out = new ArrayList<>();
    for (Map.Entry<ApiKeys, short[]> e : versions.entrySet()) {
      ApiKeys api = e.getKey();
      for (short v = e.getValue()[0]; v <= e.getValue()[1]; v++) {
        ApiMessage body = body(api, v, scratchTopic, scratchId, canaryTopic, canaryId);
        if (body == null) {
          continue;
        }
        try {
          out.add(encode(api, v, body));
        } catch (UnsupportedVersionException notEncodable) {
          // Advertised but not encodable by this codec (e.g. Produce v0-2, removed in Kafka 4):
          // such versions are still sent, as "bad-version" mutations of other templates.
        }
      }
    }
    return out;
  }

  private static ApiMessage body(
      ApiKeys api, short v, String scratch, Uuid scratchId, String canary, Uuid canaryId) {
    switch (api) {
      case API_VERSIONS:
        return new ApiVersionsRequestData()
            .setClientSoftwareName(v >= 3 ? "ferry-fuzz" : "")
            .setClientSoftwareVersion(v >= 3 ? "1.0" : "");
      case METADATA:
        {
          MetadataRequestData d = new MetadataRequestData();
          d.topics().add(topic(v >= 10, canary, canaryId));
          d.topics().add(topic(v >= 10, scratch, scratchId));
          d.setAllowAutoTopicCreation(v < 4);
          return d;
        }
      case PRODUCE:
        {
          ProduceRequestData d = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5_000);
          ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData();
          if (v >= 13) {
            t.setTopicId(scratchId);
          } else {
            t.setName(scratch);
          }
          t.partitionData()
              .add(
                  new ProduceRequestData.PartitionProduceData()
                      .setIndex(0)
                      .setRecords(
                          MemoryRecords.withRecords(
                              Compression.NONE,
                              new SimpleRecord(1_700_000_000_000L, utf8("key"), utf8("fuzz-value")),
                              new SimpleRecord(1_700_000_000_001L, null, utf8("second")))));
          d.topicData().add(t);
          return d;
        }
      case FETCH:
        {
          FetchRequestData d =
              new FetchRequestData()
                  .setReplicaId(-1)
                  .setMaxWaitMs(50)
                  .setMinBytes(1)
                  .setMaxBytes(1 << 20)
                  .setIsolationLevel((byte) 0);
          FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic();
          if (v >= 13) {
            t.setTopicId(canaryId);
          } else {
            t.setTopic(canary);
          }
          t.partitions()
              .add(
                  new FetchRequestData.FetchPartition()
                      .setPartition(0)
                      .setFetchOffset(0)
                      .setPartitionMaxBytes(1 << 16)
                      .setLogStartOffset(-1));
          d.topics().add(t);
          return d;
        }
      case LIST_OFFSETS:
        {
          ListOffsetsRequestData d = new ListOffsetsRequestData().setReplicaId(-1);
          ListOffsetsRequestData.ListOffsetsTopic t =
              new ListOffsetsRequestData.ListOffsetsTopic().setName(canary);
          t.partitions()
              .add(
                  new ListOffsetsRequestData.ListOffsetsPartition()
                      .setPartitionIndex(0)
                      .setTimestamp(-1));
          d.topics().add(t);
          return d;
        }
      case DESCRIBE_CLUSTER:
        return new DescribeClusterRequestData();
      case DESCRIBE_CONFIGS:
        {
          DescribeConfigsRequestData d = new DescribeConfigsRequestData();
          d.resources()
              .add(
                  new DescribeConfigsRequestData.DescribeConfigsResource()
                      .setResourceType((byte) 2)
                      .setResourceName(canary));
          return d;
        }
      case INIT_PRODUCER_ID:
        return new InitProducerIdRequestData()
            .setTransactionalId(null)
            .setTransactionTimeoutMs(60_000)
            .setProducerId(-1)
            .setProducerEpoch((short) -1);
      default:
        return null;
    }
  }

  private static MetadataRequestData.MetadataRequestTopic topic(
      boolean withId, String name, Uuid id) {
    MetadataRequestData.MetadataRequestTopic t =
        new MetadataRequestData.MetadataRequestTopic().setName(name);
    if (withId) {
      t.setTopicId(Uuid.ZERO_UUID);
    }
    return t;
  }

  /** Header (with correlation id 0, rewritten per case) and body, without the size prefix. */
  static Template encode(ApiKeys api, short version, ApiMessage body) {
    short headerVersion = api.requestHeaderVersion(version);
    RequestHeaderData header =
        new RequestHeaderData()
            .setRequestApiKey(api.id)
            .setRequestApiVersion(version)
            .setClientId("fuzz")
            .setCorrelationId(0);
    ObjectSerializationCache cache = new ObjectSerializationCache();
    int size = header.size(cache, headerVersion) + body.size(cache, version);
    ByteBuffer buf = ByteBuffer.allocate(size);
    ByteBufferAccessor out = new ByteBufferAccessor(buf);
    header.write(out, cache, headerVersion);
    body.write(out, cache, version);
    byte[] payload = buf.array();
    int recordsOffset = -1;
    int recordsLength = 0;
    if (body instanceof ProduceRequestData p) {
      MemoryRecords records =
          (MemoryRecords) p.topicData().iterator().next().partitionData().get(0).records();
      byte[] batch = new byte[records.sizeInBytes()];
      records.buffer().duplicate().get(batch);
      recordsOffset = indexOf(payload, batch);
      recordsLength = batch.length;
    }
    return new Template(api, version, payload, recordsOffset, recordsLength);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("record batch not found in the encoded produce request");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
