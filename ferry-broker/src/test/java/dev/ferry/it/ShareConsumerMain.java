package dev.ferry.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A share consumer in a JVM of its own (so a test can SIGKILL it): in group {@code group} on {@code
 * topic}, explicit acknowledgement, it accepts the records at even offsets and holds the odd ones
 * acquired without acknowledging them. After each commit it prints {@code accepted <offset>} for
 * what the broker confirmed and {@code held <offset>} for what it holds; once it has seen {@code
 * total} records it prints {@code holding} and waits to be killed.
 *
 * <p>Arguments: bootstrap topic group total
 */
public final class ShareConsumerMain {

  private ShareConsumerMain() {}

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
    p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    int total = Integer.parseInt(args[3]);
    int seen = 0;
    try (KafkaShareConsumer<byte[], byte[]> c =
        new KafkaShareConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(args[1]));
      long deadline = System.currentTimeMillis() + 60_000;
      while (seen < total && System.currentTimeMillis() < deadline) {
        List<Long> accepted = new ArrayList<>();
        List<Long> held = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
          seen++;
          if (r.offset() % 2 == 0) {
            c.acknowledge(r, AcknowledgeType.ACCEPT);
            accepted.add(r.offset());
          } else {
            held.add(r.offset());
          }
        }
        c.commitSync(); // throws if an acceptance was not confirmed
        accepted.forEach(o -> System.out.println("accepted " + o));
        held.forEach(o -> System.out.println("held " + o));
      }
      System.out.println(seen >= total ? "holding" : "timed out");
      System.out.flush();
      Thread.sleep(120_000); // bounded: the test kills this JVM long before
    }
  }
}
