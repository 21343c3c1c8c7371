package dev.ferry.bench.scale;

import dev.ferry.bench.Progress;
import dev.ferry.bench.broker.BrokerCluster;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.workload.ClientConfigs;
import dev.ferry.bench.workload.MetadataProbe;
import dev.ferry.bench.workload.Payloads;
import dev.ferry.bench.workload.ProducerRun;
import dev.ferry.bench.workload.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The measurements both layouts share: topic creation, Metadata round trips and the produce spread
 * over every partition. CPU is summed over every process of the system ({@link BrokerCluster}), so
 * a separate ZooKeeper counts.
 */
final class ScaleSteps {

  static final String TOPIC = "scale";
  static final int RECORD_BYTES = 1024;
  private static final int METADATA_WARMUP = 5;
  private static final int PRODUCE_WINDOW = 5_000;
  static final int CREATE_STEP = 5_000;
  private static final long POLL_MS = 50;

  private final Progress progress;
  private final Duration createTimeout;
  private final int metadataRequests;
  private final Duration produceTime;

  ScaleSteps(
      Progress progress, Duration createTimeout, int metadataRequests, Duration produceTime) {
    this.progress = progress;
    this.createTimeout = createTimeout;
    this.metadataRequests = metadataRequests;
    this.produceTime = produceTime;
  }

  Duration createTimeout() {
    return createTimeout;
  }

  /**
   * CreateTopics for one topic, timed to its answer and then until every partition is served (a
   * ListOffsets answer for each) and, with replicas, has a leader and a full ISR in the Metadata of
   * the first broker. Kafka answers before its brokers host the partitions; Ferry after its own.
   */
  void createTopic(BrokerCluster system, int partitions, short rf, ScalePoint point)
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    double[] cpu0 = system.cpuSeconds();
    long t0 = System.nanoTime();
    try (Admin admin = Topics.admin(system.bootstrapServers(), createTimeout)) {
      // Kafka 4.4's controller refuses an operation of more than 10,000 metadata records
      // (PolicyViolationException "excessively large batch operation"): a topic of 10,000
      // partitions is 10,001. Both systems get the same steps of at most CREATE_STEP partitions:
      // CreateTopics, then CreatePartitions up to the count.
      int created = Math.min(partitions, CREATE_STEP);
      admin
          .createTopics(List.of(new NewTopic(TOPIC, created, rf)))
          .all()
          .get(createTimeout.toSeconds(), TimeUnit.SECONDS);
      while (created < partitions) {
        created = Math.min(partitions, created + CREATE_STEP);
        admin
            .createPartitions(Map.of(TOPIC, NewPartitions.increaseTo(created)))
            .all()
            .get(remaining(t0).toSeconds(), TimeUnit.SECONDS);
      }
      point.createAnsweredMs = millisSince(t0);
      progress.say(
          String.format(
              "  %s: CreateTopics answered in %,.0f ms", system.name(), point.createAnsweredMs));
      if (rf > 1) {
        awaitFullIsr(system, partitions, rf, t0);
      }
      Topics.awaitServed(admin, TOPIC, partitions, remaining(t0));
      point.createServedMs = millisSince(t0);
    }
    double[] cpu1 = system.cpuSeconds();
    point.createCpuMs = 1000 * (sum(cpu1) - sum(cpu0));
    int helpers = system.helpers().size();
    if (helpers > 0) {
      int brokers = system.brokers().size();
      point.createMetadataStoreCpuMs =
          1000
              * (sum(Arrays.copyOfRange(cpu1, brokers, brokers + helpers))
                  - sum(Arrays.copyOfRange(cpu0, brokers, brokers + helpers)));
    }
    progress.say(
        String.format(
            "  %s: %,d partitions served after %,.0f ms (CPU %,.0f ms)",
            system.name(), partitions, point.createServedMs, point.createCpuMs));
  }

  private void awaitFullIsr(BrokerCluster system, int partitions, int rf, long t0)
      throws IOException, InterruptedException, TimeoutException {
    String bootstrap = system.brokers().get(0).bootstrapServers();
    String last = "no answer";
    try (MetadataProbe probe = new MetadataProbe(bootstrap, TOPIC)) {
      while (System.nanoTime() - t0 < createTimeout.toNanos()) {
        system.checkAlive();
        MetadataProbe.Partitions state = probe.request().partitions(TOPIC, partitions);
        if (state.fullyReplicated(rf)) {
          return;
        }
        long led = Arrays.stream(state.leaders()).filter(l -> l >= 0).count();
        last = led + " of " + partitions + " partitions have a leader";
        Thread.sleep(POLL_MS);
      }
    }
    throw new TimeoutException(
        system.name() + ": no full ISR within " + createTimeout.toSeconds() + " s; " + last);
  }

  /**
   * Metadata requests for the topic, one at a time on one connection to {@code broker}, after a few
   * untimed ones: median, p99, the answer's size and the broker's CPU per request.
   */
  void metadata(BrokerProcess broker, ScalePoint point) throws IOException {
    try (MetadataProbe probe = new MetadataProbe(broker.bootstrapServers(), TOPIC)) {
      for (int i = 0; i < METADATA_WARMUP; i++) {
        probe.request();
      }
      long[] nanos = new long[metadataRequests];
      double cpu0 = broker.cpuSeconds();
      int bytes = 0;
      for (int i = 0; i < nanos.length; i++) {
        MetadataProbe.Answer answer = probe.request();
        nanos[i] = answer.nanos();
        bytes = answer.bytes();
      }
      point.metadataCpuUs = 1e6 * (broker.cpuSeconds() - cpu0) / nanos.length;
      Arrays.sort(nanos);
      point.metadataP50Us = nanos[nanos.length / 2] / 1e3;
      point.metadataP99Us = nanos[(int) Math.min(nanos.length - 1, nanos.length * 0.99)] / 1e3;
      point.metadataBytes = bytes;
    }
    progress.say(
        String.format(
            "  %s: Metadata p50 %,.0f µs, p99 %,.0f µs, %,d bytes, CPU %,.0f µs/request",
            broker.name(),
            point.metadataP50Us,
            point.metadataP99Us,
            point.metadataBytes,
            point.metadataCpuUs));
  }

  /**
   * The producer client's defaults (acks=all, idempotent, linger 5 ms, 16 KiB batches), 1 KB
   * records, record i to partition i mod partitions, for the produce time.
   */
  void produce(BrokerCluster system, int partitions, ScalePoint point) throws InterruptedException {
    double cpu0 = sum(system.cpuSeconds());
    ProducerRun.Result result =
        ProducerRun.run(
            ClientConfigs.clientDefaults(system.bootstrapServers()),
            TOPIC,
            partitions,
            Long.MAX_VALUE,
            Payloads.text(RECORD_BYTES, 42),
            Math.max(PRODUCE_WINDOW, partitions),
            produceTime,
            progress,
            system.name() + " produce");
    double cpu = sum(system.cpuSeconds()) - cpu0;
    point.produceRecordsPerSec = result.messagesPerSecond();
    point.produceCpuUsPerRecord = 1e6 * cpu / Math.max(1, result.acked());
    point.produceFailed = result.failed();
    if (result.firstError() != null) {
      point.note += "produce: " + result.firstError() + ". ";
    }
    progress.say(
        String.format(
            "  %s: %,.0f records/s over %,d partitions, CPU %,.1f µs/record, %,d failed",
            system.name(),
            point.produceRecordsPerSec,
            partitions,
            point.produceCpuUsPerRecord,
            point.produceFailed));
  }

  Duration remaining(long t0) {
    long left = createTimeout.toNanos() - (System.nanoTime() - t0);
    return Duration.ofNanos(Math.max(TimeUnit.SECONDS.toNanos(5), left));
  }

  static double millisSince(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  static double sum(double[] values) {
    double total = 0;
    for (double v : values) {
      total += v;
    }
    return total;
  }

  static double megabytes(long bytes) {
    return bytes / 1e6;
  }
}
