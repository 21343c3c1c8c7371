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
    long cpu0 = ProcessCpu.millis();
    long t0 = System.nanoTime();
    Timing firstTiming = new Timing();
    KafkaClusterTestKit first = start(firstTiming);
    long firstMs = (System.nanoTime() - t0) / 1_000_000;
    long cpuMs = ProcessCpu.millis() - cpu0;
    long jvmToAckMs = System.currentTimeMillis() - jvmStartMs;
    long heapMb = usedHeapMb();
    first.close();

    long t1 = System.nanoTime();
    KafkaClusterTestKit second = start(new Timing());
    long secondMs = (System.nanoTime() - t1) / 1_000_000;
    second.close();
    System.out.printf(
        "first_ms=%d broker_ms=%d client_ms=%d cpu_ms=%d second_ms=%d jvm_to_ack_ms=%d"
            + " heap_mb=%d%n",
        firstMs,
        firstTiming.brokerMs,
        firstTiming.clientMs,
        cpuMs,
        secondMs,
        jvmToAckMs,
        heapMb);
    System.exit(0);
  }

  private static KafkaClusterTestKit start(Timing timing) throws Exception {
    long t0 = System.nanoTime();
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
    long t1 = System.nanoTime();
    timing.brokerMs = (t1 - t0) / 1_000_000;
    produceOne(cluster.bootstrapServers());
    timing.clientMs = (System.nanoTime() - t1) / 1_000_000;
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

  /**
   * Where the first start's time went: the broker's start and topic creation, then the producer's
   * own start-up, its Metadata round trip and the acknowledged produce.
   */
  static final class Timing {
    long brokerMs;
    long clientMs;
  }

  /**
   * CPU time of this process so far (all threads: JIT compilers and GC included), from
   * /proc/self/stat; unlike wall time it does not grow with the load of a shared machine.
   */
  static final class ProcessCpu {
    static long millis() throws java.io.IOException {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
      return ticks * 1000 / 100; // USER_HZ is 100 on Linux
    }
  }
}
