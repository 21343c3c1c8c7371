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
    return start(dir, size, null);
  }

  /**
   * Single nodes on SASL_PLAINTEXT listeners with an ACL authorizer on both sides, the suite logged
   * in as the super user {@link PlainLogin#ADMIN}; SCRAM-SHA-256/512 enabled as well.
   */
  static Pair startSecure(Path dir) throws Exception {
    return start(dir, 1, PlainLogin.ADMIN);
  }

  private static Pair start(Path dir, int size, PlainLogin login) throws Exception {
    String rf = Integer.toString(size);
    Map<String, String> common =
        Map.of(
            "offsets.topic.replication.factor", rf,
            "offsets.topic.num.partitions", "3",
            "group.initial.rebalance.delay.ms", "0",
            "default.replication.factor", rf,
            "num.partitions", "1");
    Map<String, String> kafkaConfig = kafkaConfig(common, rf);
    if (login != null) {
      kafkaConfig.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
      // The test kit's JAAS file has a PLAIN login module only; SCRAM's server side is
      // registered by its own login module, named per mechanism on the test kit's listener.
      for (String m : new String[] {"scram-sha-256", "scram-sha-512"}) {
        kafkaConfig.put(
            "listener.name.external." + m + ".sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      }
    }
    KafkaReference kafka = KafkaReference.start(dir.resolve("kafka"), size, kafkaConfig, login);
    try {
      FerrySide ferry = FerrySide.start(dir.resolve("ferry"), size, common, login);
      return new Pair(ferry, kafka);
    } catch (Exception | Error e) {
      kafka.close();
      throw e;
    }
  }

  private static java.util.HashMap<String, String> kafkaConfig(
      Map<String, String> common, String rf) {
    java.util.HashMap<String, String> m = new java.util.HashMap<>(common);
    m.put("transaction.state.log.replication.factor", rf);
    m.put("transaction.state.log.min.isr", "1");
    m.put("share.coordinator.state.topic.replication.factor", rf);
    m.put("share.coordinator.state.topic.min.isr", "1");
    // Client metrics on, as Ferry always has them (see ConformanceTelemetryReporter).
    m.put("metric.reporters", ConformanceTelemetryReporter.class.getName());
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
