package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * acks=0 gets no answer, so a failure is reported the only way the client can notice: the broker
 * closes the connection (and the client refreshes its metadata), as Kafka does.
 */
class AcksZeroFailureTest {

  private static final short PRODUCE_VERSION = 11; // names topics, so no topic id is needed

  @TempDir Path dir;

  @Test
  void aFailedAcksZeroProduceClosesTheConnectionAndASuccessfulOneDoesNot() throws Exception {
    try (TestBroker broker = TestBroker.start(dir, Map.of("auto.create.topics.enable", "false"))) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
      }
      try (RawKafkaConnection connection = RawKafkaConnection.to(broker)) {
        sendAcksZero(connection, "t", 0, "kept");
        // No answer to the produce, but the connection still serves the next request.
        ApiVersionsRequest apiVersions =
            new ApiVersionsRequest(
                new ApiVersionsRequestData()
                    .setClientSoftwareName("ferry-test")
                    .setClientSoftwareVersion("1.0"),
                (short) 3);
        assertThat(((ApiVersionsResponse) connection.send(apiVersions)).data().errorCode())
            .isZero();

        sendAcksZero(connection, "t", 7, "no such partition");
        assertThat(connection.closedByBroker()).isTrue();
      }
      try (Admin admin = broker.admin()) {
        TopicPartition tp = new TopicPartition("t", 0);
        long end =
            admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
        assertThat(end).isEqualTo(1);
      }
    }
  }

  private static void sendAcksZero(
      RawKafkaConnection connection, String topic, int partition, String value) throws Exception {
    ProduceRequestData data = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(5_000);
    ProduceRequestData.TopicProduceData topicData =
        new ProduceRequestData.TopicProduceData().setName(topic);
    topicData
        .partitionData()
        .add(
            new ProduceRequestData.PartitionProduceData()
                .setIndex(partition)
                .setRecords(
                    MemoryRecords.withRecords(
                        Compression.NONE,
                        new SimpleRecord(value.getBytes(StandardCharsets.UTF_8)))));
    data.topicData().add(topicData);
    connection.sendFrame(
        ProduceRequest.builder(data)
            .build(PRODUCE_VERSION)
            .serializeWithHeader(connection.header(ApiKeys.PRODUCE, PRODUCE_VERSION)));
  }
}
