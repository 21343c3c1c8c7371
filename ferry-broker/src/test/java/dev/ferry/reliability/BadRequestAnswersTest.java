package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.RawKafkaConnection;
import dev.ferry.it.TestBroker;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Answers to unusual but parseable requests, found by the protocol fuzzer: requests pipelined
 * before a malformed one are still answered, and a Metadata request naming a topic by id alone
 * (null name, allowed from v10) gets an answer rather than a handler failure.
 */
class BadRequestAnswersTest {

  @TempDir Path dir;

  @Test
  void validRequestsBeforeAMalformedOneAreAnsweredThenTheConnectionCloses() throws Exception {
    try (TestBroker broker = TestBroker.start(dir);
        RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      byte[] apiVersions =
          RequestTemplates.encode(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData())
              .payload();
      byte[] metadata =
          RequestTemplates.encode(ApiKeys.METADATA, (short) 12, new MetadataRequestData())
              .payload();
      ByteBuffer.wrap(apiVersions).putInt(4, 101);
      ByteBuffer.wrap(metadata).putInt(4, 102);
      byte[] garbage = {0x7f, 0x7f, 0, 0, 0, 0, 0, 103, 0, 0};
      ByteBuffer all = ByteBuffer.allocate(12 + apiVersions.length + metadata.length + 10);
      all.putInt(apiVersions.length).put(apiVersions);
      all.putInt(metadata.length).put(metadata);
      all.putInt(garbage.length).put(garbage);
      c.sendRaw(all.array()); // one write: the broker reads all three in one go

      assertThat(ByteBuffer.wrap(c.readFrame()).getInt(0)).isEqualTo(101);
      assertThat(ByteBuffer.wrap(c.readFrame()).getInt(0)).isEqualTo(102);
      assertThat(c.closedByBroker()).isTrue();
    }
  }

  @Test
  void metadataRequestNamingTopicsByIdAloneIsAnswered() throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      Uuid id;
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("by-id", 2, (short) 1))).all().get();
        id = admin.describeTopics(List.of("by-id")).allTopicNames().get().get("by-id").topicId();
      }
      MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(false);
      data.topics()
          .add(new MetadataRequestData.MetadataRequestTopic().setName(null).setTopicId(id));
      data.topics()
          .add(
              new MetadataRequestData.MetadataRequestTopic()
                  .setName(null)
                  .setTopicId(Uuid.randomUuid()));
      try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
        MetadataResponse r = (MetadataResponse) c.send(new MetadataRequest(data, (short) 12));
        assertThat(r.data().topics()).hasSize(2);
        MetadataResponseData.MetadataResponseTopic known =
            r.data().topics().stream()
                .filter(t -> t.topicId().equals(id))
                .findFirst()
                .orElseThrow();
        assertThat(known.name()).isEqualTo("by-id");
        assertThat(known.errorCode()).isZero();
        assertThat(known.partitions()).hasSize(2);
        assertThat(r.data().topics().stream().filter(t -> !t.topicId().equals(id)))
            .singleElement()
            .satisfies(t -> assertThat(t.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code()));
      }
    }
  }
}
