package dev.ferry.bench.embedded;

import dev.ferry.embedded.EmbeddedFerry;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One fresh JVM: {@code EmbeddedFerry.start()} to the first acknowledged produce, twice; prints one
 * line of key=value results. The same steps as KafkaStartProbe: start, create a one-partition
 * topic, produce one record with acks=all.
 */
public final class FerryStartProbe {

  public static void main(String[] args) throws Exception {
    long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
    long t0 = System.nanoTime();
    EmbeddedFerry first = start();
    long firstMs = (System.nanoTime() - t0) / 1_000_000;
    long jvmToAckMs = System.currentTimeMillis() - jvmStartMs;
    long heapMb = usedHeapMb();
    first.close();

    long t1 = System.nanoTime();
    EmbeddedFerry second = start();
    long secondMs = (System.nanoTime() - t1) / 1_000_000;
    second.close();
    System.out.printf(
        "first_ms=%d second_ms=%d jvm_to_ack_ms=%d heap_mb=%d%n",
        firstMs, secondMs, jvmToAckMs, heapMb);
    System.exit(0);
  }

  private static EmbeddedFerry start() throws Exception {
    EmbeddedFerry ferry = EmbeddedFerry.start();
    ferry.createTopic("probe", 1, 1);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ferry.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"),
            new StringSerializer(),
            new StringSerializer())) {
      producer.send(new ProducerRecord<>("probe", "k", "v")).get();
    }
    return ferry;
  }

  /** Live heap with the broker running: used heap after two full collections. */
  private static long usedHeapMb() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
  }
}
