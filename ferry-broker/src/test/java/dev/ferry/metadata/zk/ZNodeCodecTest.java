package dev.ferry.metadata.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.TopicAssignment;
import dev.ferry.metadata.zk.ZNodeCodec.MalformedZNodeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ZNodeCodecTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void roundTripsEveryValue() {
    Uuid id = Uuid.randomUuid();
    TopicAssignment topic =
        ZNodeCodec.decodeTopic(
            "t", ZNodeCodec.encodeTopic(id, Map.of(1, List.of(2, 0), 0, List.of(0, 2))));
    assertThat(topic.topicId()).isEqualTo(id);
    assertThat(topic.partitions())
        .containsExactly(Map.entry(0, List.of(0, 2)), Map.entry(1, List.of(2, 0)));

    BrokerInfo broker = new BrokerInfo(4, "host", 9092, null);
    assertThat(ZNodeCodec.decodeBroker(4, ZNodeCodec.encodeBroker(broker))).isEqualTo(broker);
    PartitionState state = new PartitionState(2, 7, List.of(2, 0), 3, 9);
    assertThat(ZNodeCodec.decodePartitionState("t", 0, ZNodeCodec.encodePartitionState(state)))
        .isEqualTo(state);
    assertThat(ZNodeCodec.decodeTopicConfig("t", ZNodeCodec.encodeTopicConfig(Map.of("a", "b"))))
        .containsExactly(Map.entry("a", "b"));
    ProducerIdBlock block = new ProducerIdBlock(1, 5000, 1000);
    assertThat(ZNodeCodec.decodeProducerIdBlock(ZNodeCodec.encodeProducerIdBlock(block)))
        .isEqualTo(block);
    assertThat(ZNodeCodec.decodeClusterId(ZNodeCodec.encodeClusterId("abc"))).isEqualTo("abc");
  }

  @Test
  void writesTheDocumentedJson() {
    assertThat(
            new String(
                ZNodeCodec.encodeBroker(new BrokerInfo(1, "h", 9092, "r1")),
                StandardCharsets.UTF_8))
        .isEqualTo("{\"version\":1,\"host\":\"h\",\"port\":9092,\"rack\":\"r1\"}");
    assertThat(
            new String(
                ZNodeCodec.encodeProducerIdBlock(new ProducerIdBlock(3, 2000, 1000)),
                StandardCharsets.UTF_8))
        .isEqualTo("{\"version\":1,\"brokerId\":3,\"firstProducerId\":2000,\"size\":1000}");
  }

  @Test
  void toleratesUnknownFieldsOfTheSameVersion() {
    assertThat(
            ZNodeCodec.decodeBroker(
                1, utf8("{\"version\":1,\"host\":\"h\",\"port\":1,\"rack\":null,\"new\":true}")))
        .isEqualTo(new BrokerInfo(1, "h", 1, null));
  }

  @Test
  void rejectsWhatItCannotUnderstand() {
    assertThatThrownBy(() -> ZNodeCodec.decodeTopic("t", utf8("")))
        .isInstanceOf(MalformedZNodeException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> ZNodeCodec.decodeTopic("t", utf8("[1]")))
        .isInstanceOf(MalformedZNodeException.class)
        .hasMessageContaining("topic t");
    assertThatThrownBy(
            () -> ZNodeCodec.decodeTopic("t", utf8("{\"topicId\":\"x\",\"partitions\":{}}")))
        .isInstanceOf(MalformedZNodeException.class)
        .hasMessageContaining("unsupported version 0");
    assertThatThrownBy(
            () ->
                ZNodeCodec.decodeTopic(
                    "t", utf8("{\"version\":1,\"topicId\":\"!!\",\"partitions\":{}}")))
        .isInstanceOf(MalformedZNodeException.class)
        .hasMessageContaining("bad topicId");
    assertThatThrownBy(
            () ->
                ZNodeCodec.decodeTopic(
                    "t",
                    utf8(
                        "{\"version\":1,\"topicId\":\""
                            + Uuid.randomUuid()
                            + "\",\"partitions\":{\"0\":[]}}")))
        .isInstanceOf(MalformedZNodeException.class)
        .hasMessageContaining("partition 0");
    assertThatThrownBy(
            () -> ZNodeCodec.decodeProducerIdBlock(utf8("{\"version\":1,\"firstProducerId\":-1}")))
        .isInstanceOf(MalformedZNodeException.class);
  }
}
