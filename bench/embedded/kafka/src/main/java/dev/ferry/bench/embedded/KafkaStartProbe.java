package dev.ferry.bench.embedded;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One fresh JVM: Kafka's in-process test cluster (one combined KRaft node) from build to the first
 * acknowledged produce, twice; prints one line of key=value results. The same steps as
 * FerryStartProbe: start, create a one-partition topic, produce one record with acks=all.
 */
public final class KafkaStartProbe {

  public static void main(String[] args) throws Exception {
    long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
    long t0 = System.nanoTime();
    KafkaClusterTestKit first = start();
    long firstMs = (System.nanoTime() - t0) / 1_000_000;
    long jvmToAckMs = System.currentTimeMillis() - jvmStartMs;
    long heapMb = usedHeapMb();
    first.close();

    long t1 = System.nanoTime();
    KafkaClusterTestKit second = start();
    long secondMs = (System.nanoTime() - t1) / 1_000_000;
    second.close();
    System.out.printf(
        "first_ms=%d second_ms=%d jvm_to_ack_ms=%d heap_mb=%d%n",
        firstMs, secondMs, jvmToAckMs, heapMb);
    System.exit(0);
  }

  private static KafkaClusterTestKit start() throws Exception {
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    try (Admin admin = cluster.admin()) {
      admin.createTopics(List.of(new NewTopic("probe", 1, (short) 1))).all().get();
    }
    produceOne(cluster.bootstrapServers());
    return cluster;
  }

  static void produceOne(String bootstrap) throws Exception {
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"),
            new StringSerializer(),
            new StringSerializer())) {
      producer.send(new ProducerRecord<>("probe", "k", "v")).get();
    }
  }

  /** Live heap with the cluster running: used heap after two full collections. */
  static long usedHeapMb() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
  }
}
