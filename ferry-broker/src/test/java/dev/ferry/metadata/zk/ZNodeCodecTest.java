package dev.ferry.metadata.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.Reassignment;
import dev.ferry.metadata.TopicAssignment;
import dev.ferry.metadata.zk.ZNodeCodec.MalformedZNodeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

  /**
   * Byte for byte what the data-binding codec wrote before the streaming one replaced it (and so
   * what existing clusters hold): field order, absent optional fields, a null rack, escaping.
   */
  @Test
  void writesTheSameJsonAsTheDataBindingCodecDid() {
    Uuid id = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    assertThat(json(ZNodeCodec.encodeClusterId("abc"))).isEqualTo("{\"version\":1,\"id\":\"abc\"}");
    assertThat(
            json(
                ZNodeCodec.encodeBroker(
                    new BrokerInfo(
                        1,
                        "h",
                        9092,
                        null,
                        Map.of(
                            "SSL", new BrokerInfo.Endpoint("h", 9093),
                            "PLAINTEXT", new BrokerInfo.Endpoint("h", 9092))))))
        .isEqualTo(
            "{\"version\":1,\"host\":\"h\",\"port\":9092,\"rack\":null,"
                + "\"endpoints\":{\"PLAINTEXT\":\"h:9092\",\"SSL\":\"h:9093\"}}");
    assertThat(
            json(
                ZNodeCodec.encodeTopic(
                    new TopicAssignment(
                        id,
                        new TreeMap<>(Map.of(0, List.of(1, 2), 1, List.of(2, 0))),
                        Map.of(1, new Reassignment(List.of(0), List.of(3)))))))
        .isEqualTo(
            "{\"version\":1,\"topicId\":\"AAAAAAAAAAAAAAAAAAAAAQ\","
                + "\"partitions\":{\"0\":[1,2],\"1\":[2,0]},"
                + "\"adding_replicas\":{\"1\":[0]},\"removing_replicas\":{\"1\":[3]}}");
    assertThat(json(ZNodeCodec.encodeTopic(id, Map.of(0, List.of(1)))))
        .isEqualTo(
            "{\"version\":1,\"topicId\":\"AAAAAAAAAAAAAAAAAAAAAQ\",\"partitions\":{\"0\":[1]}}");
    assertThat(json(ZNodeCodec.encodeTopicConfig(Map.of("b", "2", "a", "x\"y"))))
        .isEqualTo("{\"version\":1,\"config\":{\"a\":\"x\\\"y\",\"b\":\"2\"}}");
    assertThat(json(ZNodeCodec.encodeTopicConfig(Map.of())))
        .isEqualTo("{\"version\":1,\"config\":{}}");
    assertThat(json(ZNodeCodec.encodePartitionState(new PartitionState(2, 7, List.of(2, 0), 3, 9))))
        .isEqualTo(
            "{\"version\":1,\"leader\":2,\"leaderEpoch\":7,\"isr\":[2,0],"
                + "\"controllerEpoch\":3,\"partitionEpoch\":9}");
    assertThat(json(ZNodeCodec.encodeControllerEpoch(4))).isEqualTo("{\"version\":1,\"epoch\":4}");
  }

  @Test
  void readsMovesAndEndpointsBack() {
    Uuid id = Uuid.randomUuid();
    TopicAssignment moving =
        new TopicAssignment(
            id,
            new TreeMap<>(Map.of(0, List.of(1, 2), 1, List.of(2, 0))),
            Map.of(1, new Reassignment(List.of(0), List.of(3))));
    assertThat(ZNodeCodec.decodeTopic("t", ZNodeCodec.encodeTopic(moving))).isEqualTo(moving);
    BrokerInfo broker =
        new BrokerInfo(2, "h", 9092, "r1", Map.of("PLAINTEXT", new BrokerInfo.Endpoint("h", 9092)));
    assertThat(ZNodeCodec.decodeBroker(2, ZNodeCodec.encodeBroker(broker))).isEqualTo(broker);
    assertThat(ZNodeCodec.decodeControllerEpoch(ZNodeCodec.encodeControllerEpoch(4))).isEqualTo(4);
  }

  @Test
  void readsMissingNumbersAsZeroAndRejectsWrongTypes() {
    assertThat(
            ZNodeCodec.decodePartitionState(
                "t", 0, utf8("{\"version\":1,\"leader\":2,\"isr\":[2],\"extra\":{\"a\":[1]}}")))
        .isEqualTo(new PartitionState(2, 0, List.of(2), 0, 0));
    assertThatThrownBy(
            () ->
                ZNodeCodec.decodePartitionState(
                    "t", 0, utf8("{\"version\":1,\"leader\":{},\"isr\":[2]}")))
        .isInstanceOf(MalformedZNodeException.class)
        .hasMessageContaining("state of t-0");
    assertThatThrownBy(
            () -> ZNodeCodec.decodePartitionState("t", 0, utf8("{\"version\":1,\"isr\":[null]}")))
        .isInstanceOf(MalformedZNodeException.class)
        .hasMessageContaining("bad isr");
    assertThatThrownBy(
            () ->
                ZNodeCodec.decodeTopic(
                    "t",
                    utf8(
                        "{\"version\":1,\"topicId\":\""
                            + Uuid.randomUuid()
                            + "\",\"partitions\":{\"x\":[1]}}")))
        .isInstanceOf(MalformedZNodeException.class)
        .hasMessageContaining("bad partition x");
    assertThatThrownBy(() -> ZNodeCodec.decodeClusterId(utf8("{\"version\":1,\"id\":\"a\"")))
        .isInstanceOf(MalformedZNodeException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> ZNodeCodec.decodeControllerEpoch(utf8("{\"version\":2,\"epoch\":1}")))
        .isInstanceOf(MalformedZNodeException.class)
        .hasMessageContaining("unsupported version 2");
  }

  private static String json(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
