package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A producer with {@code producer_byte_rate=1048576} is held to 1 MiB/s (within 10 %) over 30 MiB
 * (about 30 s) of producing as fast as it can, while an unthrottled producer on the same broker
 * keeps going at its own pace; the throttling shows on the Prometheus endpoint.
 */
@Tag("slow")
class ClientQuotaThrottlingTest {

  private static final int QUOTA = 1024 * 1024;
  private static final int RECORD = 16 * 1024;

  /** The throttled client's measurement: about 30 s at the quota. */
  private static final long MEASURED_BYTES = 30L * QUOTA;

  private static final Duration MEASURE_BOUND = Duration.ofSeconds(60);

  /** The unthrottled client's warm-up, then its solo measurement: 2,048 records each. */
  private static final long SOLO_BYTES = 2048L * RECORD;

  private static final Duration SOLO_BOUND = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void producerByteRateHoldsOneClientWhileAnotherKeepsItsThroughput() throws Exception {
    int metricsPort = freePort();
    try (TestCluster cluster =
            TestCluster.start(dir, 1, Map.of("metrics.port", String.valueOf(metricsPort)));
        Admin admin = cluster.admin()) {
      admin.createTopics(List.of(new NewTopic("quota", 2, (short) 1))).all().get();
      ClientQuotaEntity limitedEntity =
          new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "limited"));
      admin
          .alterClientQuotas(
              List.of(
                  new ClientQuotaAlteration(
                      limitedEntity,
                      List.of(new ClientQuotaAlteration.Op("producer_byte_rate", (double) QUOTA)))))
          .all()
          .get();

      try (Flood free = new Flood(cluster, "free", 0)) {
        free.start();
        // Connection set-up and the JIT's warm-up stay out of the measurement, which starts at an
        // ack.
        free.awaitAcked(SOLO_BYTES, SOLO_BOUND);
        Flood.Mark soloMark = free.mark();
        free.awaitAcked(soloMark.bytes() + SOLO_BYTES, SOLO_BOUND);
        double solo = free.bytesPerSecondSince(soloMark);
        try (Flood limited = new Flood(cluster, "limited", 1)) {
          limited.start();
          limited.awaitAcked(RECORD, SOLO_BOUND);
          Flood.Mark limitedMark = limited.mark();
          Flood.Mark freeMark = free.mark();
          // A rate needs an interval: it ends when the limited client has had MEASURED_BYTES
          // acknowledged (about 30 s at the quota), bounded at twice that in case the throttle
          // holds it far below its quota.
          limited.awaitAcked(limitedMark.bytes() + MEASURED_BYTES, MEASURE_BOUND);
          Flood.Mark limitedEnd = limited.mark();
          // The unthrottled client over the same interval (its acks a few ms apart from the
          // throttled client's).
          double freeRate = free.bytesPerSecondSince(freeMark);
          double limitedRate = Flood.bytesPerSecond(limitedMark, limitedEnd);
          System.out.printf(
              "producer_byte_rate=%d: limited client %.0f B/s over %.1f s (%.3f of the quota);"
                  + " unthrottled client %.0f B/s alone, %.0f B/s alongside%n",
              QUOTA,
              limitedRate,
              (limitedEnd.nanos() - limitedMark.nanos()) / 1e9,
              limitedRate / QUOTA,
              solo,
              freeRate);
          assertThat(limitedRate).isBetween(QUOTA * 0.9, QUOTA * 1.1);
          // The unthrottled client is not slowed to the throttled one's pace.
          assertThat(freeRate).isGreaterThan(limitedRate * 3).isGreaterThan(solo * 0.5);
        }
      }

      String metrics = scrape(metricsPort);
      assertThat(metrics)
          .containsPattern(
              "ferry_client_quota_throttle_time_seconds_total\\{client_id=\"limited\","
                  + "quota=\"producer_byte_rate\",user=\"\"} [1-9]")
          .contains(
              "ferry_client_quota_limit{client_id=\"limited\",quota=\"producer_byte_rate\","
                  + "user=\"\"} 1048576.0")
          .doesNotContain("client_id=\"free\"");
    }
  }

  /**
   * A producer sending 16 KiB records as fast as the broker lets it, counting acknowledged bytes
   * and the time of the last acknowledgement (both in the producer's callback, so that a rate is
   * bytes acknowledged between two acknowledgements).
   */
  private static final class Flood implements AutoCloseable {
    /** Acknowledged bytes so far and when the last of them was acknowledged. */
    record Mark(long bytes, long nanos) {}

    private final KafkaProducer<byte[], byte[]> producer;
    private final int partition;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private long acked;
    private long lastAckNanos;

    Flood(TestCluster cluster, String clientId, int partition) {
      this.producer =
          cluster.producer(
              Map.of(
                  ProducerConfig.CLIENT_ID_CONFIG,
                  clientId,
                  ProducerConfig.ACKS_CONFIG,
                  "1",
                  ProducerConfig.LINGER_MS_CONFIG,
                  5,
                  ProducerConfig.BUFFER_MEMORY_CONFIG,
                  4 * 1024 * 1024));
      this.partition = partition;
      this.thread = new Thread(this::run, "flood-" + clientId);
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      byte[] value = new byte[RECORD];
      while (running.get()) {
        try {
          producer.send(
              new ProducerRecord<>("quota", partition, null, value),
              (md, e) -> {
                if (e == null) {
                  acknowledged();
                }
              });
        } catch (RuntimeException e) {
          return; // closed
        }
      }
    }

    private synchronized void acknowledged() {
      acked += RECORD;
      lastAckNanos = System.nanoTime();
    }

    synchronized Mark mark() {
      return new Mark(acked, lastAckNanos);
    }

    /** Waits, at most {@code bound}, until {@code bytes} in all have been acknowledged. */
    void awaitAcked(long bytes, Duration bound) {
      await()
          .atMost(bound)
          .pollInterval(Duration.ofMillis(10))
          .until(() -> mark().bytes() >= bytes);
    }

    /** From a mark to the last acknowledgement now. */
    double bytesPerSecondSince(Mark from) {
      return bytesPerSecond(from, mark());
    }

    static double bytesPerSecond(Mark from, Mark to) {
      return (to.bytes() - from.bytes()) / ((to.nanos() - from.nanos()) / 1e9);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      producer.close(Duration.ZERO); // unsent records do not matter here
      thread.join(TimeUnit.SECONDS.toMillis(10));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    return r.body();
  }
}
