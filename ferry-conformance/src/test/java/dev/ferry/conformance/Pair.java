package dev.ferry.conformance;

import java.nio.file.Path;
import java.util.Map;

/** Ferry and the Kafka reference, each with {@code size} broker nodes, started side by side. */
final class Pair implements AutoCloseable {

  final FerrySide ferry;
  final KafkaReference kafka;

  private Pair(FerrySide ferry, KafkaReference kafka) {
    this.ferry = ferry;
    this.kafka = kafka;
  }

  /**
   * Both with the settings that make a test cluster comparable: internal topics that fit the
   * cluster, no initial rebalance delay, and the same partition count for auto-created topics.
   */
  static Pair start(Path dir, int size) throws Exception {
    String rf = Integer.toString(size);
    Map<String, String> common =
        Map.of(
            "offsets.topic.replication.factor", rf,
            "offsets.topic.num.partitions", "3",
            "group.initial.rebalance.delay.ms", "0",
            "default.replication.factor", rf,
            "num.partitions", "1");
    KafkaReference kafka =
        KafkaReference.start(dir.resolve("kafka"), size, kafkaConfig(common, rf));
    try {
      FerrySide ferry = FerrySide.start(dir.resolve("ferry"), size, common);
      return new Pair(ferry, kafka);
    } catch (Exception | Error e) {
      kafka.close();
      throw e;
    }
  }

  private static Map<String, String> kafkaConfig(Map<String, String> common, String rf) {
    java.util.HashMap<String, String> m = new java.util.HashMap<>(common);
    m.put("transaction.state.log.replication.factor", rf);
    m.put("transaction.state.log.min.isr", "1");
    m.put("share.coordinator.state.topic.replication.factor", rf);
    m.put("share.coordinator.state.topic.min.isr", "1");
    return m;
  }

  @Override
  public void close() throws Exception {
    try {
      ferry.close();
    } finally {
      kafka.close();
    }
  }
}
