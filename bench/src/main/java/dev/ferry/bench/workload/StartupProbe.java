package dev.ferry.bench.workload;

import dev.ferry.bench.broker.BrokerProcess;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Readiness and start-up time in one: the broker is ready when it acknowledges a produce, and the
 * time from process launch to that acknowledgement is the start-up figure. The topic is
 * auto-created by the produce, as a first client would do.
 */
public final class StartupProbe {

  private static final long ATTEMPT_SECONDS = 5;
  private static final long PAUSE_MS = 20;

  private StartupProbe() {}

  /** Milliseconds from launch to the first acknowledged produce; throws if not ready in time. */
  public static double awaitFirstProduce(BrokerProcess broker, Duration timeout)
      throws InterruptedException {
    long deadline = broker.launchNanos() + timeout.toNanos();
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>("bench-startup", new byte[] {'u', 'p'});
    String lastError = "no attempt yet";
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(ClientConfigs.startupProbe(broker.bootstrapServers()))) {
      while (System.nanoTime() < deadline) {
        broker.checkAlive();
        try {
          producer.send(record).get(ATTEMPT_SECONDS, TimeUnit.SECONDS);
          return (System.nanoTime() - broker.launchNanos()) / 1e6;
        } catch (ExecutionException | TimeoutException | KafkaException e) {
          lastError = e.toString();
          Thread.sleep(PAUSE_MS);
        }
      }
    }
    throw new IllegalStateException(
        broker.name()
            + " did not acknowledge a produce within "
            + timeout.toSeconds()
            + " s; last error: "
            + lastError
            + "\nlog tail:\n"
            + broker.logTail(20));
  }
}
