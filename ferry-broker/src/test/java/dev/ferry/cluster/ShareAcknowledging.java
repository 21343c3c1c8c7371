package dev.ferry.cluster;

import java.time.Duration;
import java.util.Set;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.awaitility.Awaitility;

/** The acknowledgement pattern of the share failover tests. */
final class ShareAcknowledging {

  private ShareAcknowledging() {}

  /**
   * Polls with an explicit-mode consumer until {@code n} records were delivered, accepting the even
   * offsets (committed after each poll: durable once commitSync returns) and holding the odd ones
   * acquired; fills {@code accepted} and {@code held}.
   */
  static void acceptEvensHoldOdds(
      KafkaShareConsumer<byte[], byte[]> consumer,
      int n,
      Duration poll,
      Duration timeout,
      Set<Long> accepted,
      Set<Long> held) {
    Awaitility.await()
        .atMost(timeout)
        .until(
            () -> {
              for (ConsumerRecord<byte[], byte[]> r : consumer.poll(poll)) {
                if (r.offset() % 2 == 0) {
                  consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                  accepted.add(r.offset());
                } else {
                  held.add(r.offset());
                }
              }
              consumer.commitSync();
              return accepted.size() + held.size() == n;
            });
  }
}
