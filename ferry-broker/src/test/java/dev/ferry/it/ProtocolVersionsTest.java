package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every advertised version of each core API gets a well-formed, error-free answer. Older clients
 * (librdkafka, kafkajs) pick old versions, where a field set to a non-default value that the
 * version lacks would make the response unserializable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolVersionsTest {

  @TempDir static Path dir;
  private TestBroker broker;
  private Uuid topicId;
  private Map<Short, ApiVersion> advertised;

  @BeforeAll
  void start() throws Exception {
    broker = TestBroker.start(dir);
    try (Admin admin = broker.admin()) {
      topicId =
          admin.createTopics(List.of(new NewTopic("compat", 1, (short) 1))).topicId("compat").get();
    }
    try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      ApiVersionsResponse r =
          (ApiVersionsResponse) c.send(new ApiVersionsRequest.Builder().build((short) 3));
      advertised = new java.util.HashMap<>();
      for (ApiVersion v : r.data().apiKeys()) {
        advertised.put(v.apiKey(), v);
      }
    }
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  @Test
  void metadataAtEveryVersion() throws Exception {
    forEachVersion(
        ApiKeys.METADATA,
        v -> {
          MetadataRequestData d = new MetadataRequestData();
          d.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("compat"));
          return d;
        });
  }

  @Test
  void produceThenFetchAtEveryVersion() throws Exception {
    forEachVersion(
        ApiKeys.PRODUCE,
        v -> {
          ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData();
          if (v >= 13) {
            t.setTopicId(topicId);
          } else {
            t.setName("compat");
          }
          t.partitionData()
              .add(
                  new ProduceRequestData.PartitionProduceData()
                      .setIndex(0)
                      .setRecords(
                          MemoryRecords.withRecords(
                              Compression.NONE, new SimpleRecord(Records.utf8("v" + v)))));
          ProduceRequestData d = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
          d.topicData().add(t);
          return d;
        });
    forEachVersion(
        ApiKeys.FETCH,
        v -> {
          FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic();
          if (v >= 13) {
            t.setTopicId(topicId);
          } else {
            t.setTopic("compat");
          }
          t.partitions()
              .add(
                  new FetchRequestData.FetchPartition()
                      .setPartition(0)
                      .setFetchOffset(0)
                      .setPartitionMaxBytes(1 << 20));
          FetchRequestData d =
              new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20);
          d.topics().add(t);
          return d;
        },
        response ->
            assertThat(
                    ((FetchResponse) response)
                        .data()
                        .responses()
                        .get(0)
                        .partitions()
                        .get(0)
                        .records()
                        .sizeInBytes())
                .isPositive());
  }

  @Test
  void listOffsetsAtEveryVersion() throws Exception {
    forEachVersion(
        ApiKeys.LIST_OFFSETS,
        v -> {
          ListOffsetsRequestData.ListOffsetsTopic t =
              new ListOffsetsRequestData.ListOffsetsTopic().setName("compat");
          t.partitions()
              .add(
                  new ListOffsetsRequestData.ListOffsetsPartition()
                      .setPartitionIndex(0)
                      .setTimestamp(-1));
          ListOffsetsRequestData d = new ListOffsetsRequestData().setReplicaId(-1);
          d.topics().add(t);
          return d;
        });
  }

  @Test
  void adminApisAtEveryVersion() throws Exception {
    forEachVersion(
        ApiKeys.CREATE_TOPICS,
        v -> {
          CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(10_000);
          d.topics()
              .add(
                  new CreateTopicsRequestData.CreatableTopic()
                      .setName("created-v" + v)
                      .setNumPartitions(1)
                      .setReplicationFactor((short) 1));
          return d;
        });
    forEachVersion(
        ApiKeys.CREATE_PARTITIONS,
        v -> {
          CreatePartitionsRequestData d = new CreatePartitionsRequestData().setTimeoutMs(10_000);
          d.topics()
              .add(
                  new CreatePartitionsRequestData.CreatePartitionsTopic()
                      .setName("created-v" + (v + 2))
                      .setCount(2)
                      .setAssignments(null));
          return d;
        });
    forEachVersion(
        ApiKeys.DESCRIBE_CONFIGS,
        v -> {
          DescribeConfigsRequestData d = new DescribeConfigsRequestData();
          d.resources()
              .add(
                  new DescribeConfigsRequestData.DescribeConfigsResource()
                      .setResourceType((byte) 2)
                      .setResourceName("compat"));
          return d;
        });
    forEachVersion(
        ApiKeys.INCREMENTAL_ALTER_CONFIGS,
        v -> {
          IncrementalAlterConfigsRequestData.AlterConfigsResource r =
              new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                  .setResourceType((byte) 2)
                  .setResourceName("compat");
          r.configs()
              .add(
                  new IncrementalAlterConfigsRequestData.AlterableConfig()
                      .setName("retention.ms")
                      .setConfigOperation((byte) 0)
                      .setValue("100000" + v));
          IncrementalAlterConfigsRequestData d = new IncrementalAlterConfigsRequestData();
          d.resources().add(r);
          return d;
        });
    forEachVersion(
        ApiKeys.ALTER_CONFIGS,
        v -> {
          AlterConfigsRequestData.AlterConfigsResource r =
              new AlterConfigsRequestData.AlterConfigsResource()
                  .setResourceType((byte) 2)
                  .setResourceName("compat");
          r.configs()
              .add(
                  new AlterConfigsRequestData.AlterableConfig()
                      .setName("retention.ms")
                      .setValue("200000" + v));
          AlterConfigsRequestData d = new AlterConfigsRequestData();
          d.resources().add(r);
          return d;
        });
    forEachVersion(
        ApiKeys.DELETE_RECORDS,
        v -> {
          DeleteRecordsRequestData.DeleteRecordsTopic t =
              new DeleteRecordsRequestData.DeleteRecordsTopic().setName("compat");
          t.partitions()
              .add(
                  new DeleteRecordsRequestData.DeleteRecordsPartition()
                      .setPartitionIndex(0)
                      .setOffset(0));
          DeleteRecordsRequestData d = new DeleteRecordsRequestData().setTimeoutMs(5000);
          d.topics().add(t);
          return d;
        });
    forEachVersion(
        ApiKeys.INIT_PRODUCER_ID,
        v -> new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(1));
    forEachVersion(ApiKeys.DESCRIBE_CLUSTER, v -> new DescribeClusterRequestData());
    forEachVersion(
        ApiKeys.API_VERSIONS,
        v ->
            new ApiVersionsRequestData()
                .setClientSoftwareName("ferry-test")
                .setClientSoftwareVersion("1.0"));
    forEachVersion(
        ApiKeys.DELETE_TOPICS,
        v -> {
          DeleteTopicsRequestData d = new DeleteTopicsRequestData().setTimeoutMs(10_000);
          if (v >= 6) {
            d.topics()
                .add(new DeleteTopicsRequestData.DeleteTopicState().setName("created-v" + (v + 1)));
          } else {
            d.topicNames().add("created-v" + (v + 1));
          }
          return d;
        });
  }

  private interface RequestFactory {
    ApiMessage build(short version);
  }

  private interface ResponseCheck {
    void check(AbstractResponse response);
  }

  private void forEachVersion(ApiKeys key, RequestFactory factory) throws Exception {
    forEachVersion(key, factory, r -> {});
  }

  /** Sends the request at every version both the broker advertises and the codec can write. */
  private void forEachVersion(ApiKeys key, RequestFactory factory, ResponseCheck check)
      throws Exception {
    ApiVersion range = advertised.get(key.id);
    assertThat(range).as("%s advertised", key).isNotNull();
    short from = (short) Math.max(range.minVersion(), key.oldestVersion());
    try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      for (short v = from; v <= range.maxVersion(); v++) {
        ApiMessage data = factory.build(v);
        AbstractRequest request =
            AbstractRequest.parseRequest(key, v, new ByteBufferAccessor(serialize(data, v)))
                .request;
        AbstractResponse response = c.send(request);
        assertThat(response.errorCounts().keySet())
            .as("%s v%d errors: %s", key, v, response.errorCounts())
            .containsOnly(Errors.NONE);
        check.check(response);
      }
    }
  }

  private static java.nio.ByteBuffer serialize(ApiMessage data, short version) {
    ObjectSerializationCache cache = new ObjectSerializationCache();
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(data.size(cache, version));
    data.write(new ByteBufferAccessor(buf), cache, version);
    buf.flip();
    return buf;
  }
}
