package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.BrokerProcess;
import dev.ferry.metadata.PartitionState;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real crashes: three broker JVMs on one ZooKeeper, SIGKILLed and SIGSTOPped while an idempotent
 * acks=all producer keeps writing. Every acknowledged record must survive exactly once and in
 * order, and the replicas must end byte-identical.
 */
@Tag("slow")
class CrashFailoverTest {

  private static final String TOPIC = "chaos";
  private static final int PARTITIONS = 6;

  /** A failover after a SIGKILL waits for the dead broker's session to expire. */
  private static final int SESSION_MS = 4_000;

  @TempDir Path dir;

  private ProcessCluster cluster;
  private final Map<Integer, Integer> metricsPorts = new HashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();

  /** A high watermark or log end gauge of a partition of the test topic: name, partition, value. */
  private static final Pattern PARTITION_GAUGE =
      Pattern.compile(
          "^(ferry_partition_high_watermark|ferry_partition_log_end_offset)"
              + "\\{partition=\"(\\d+)\",topic=\""
              + TOPIC
              + "\"} (\\S+)$",
          Pattern.MULTILINE);

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void startCluster() throws Exception {
    for (int id = 0; id < 3; id++) {
      metricsPorts.put(id, BrokerProcess.freePort());
    }
    cluster =
        ProcessCluster.start(
            dir,
            3,
            SESSION_MS,
            id ->
                Map.of(
                    "offsets.topic.num.partitions",
                    "3",
                    "metrics.port",
                    String.valueOf(metricsPorts.get(id))));
    try (Admin admin = cluster.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(TOPIC, PARTITIONS, (short) 3)
                      .configs(Map.of("min.insync.replicas", "2"))))
          .all()
          .get();
    }
  }

  private PartitionState state(int p) {
    return cluster.state(TOPIC, p);
  }

  private void awaitFullIsr() {
    cluster.awaitFullIsr(TOPIC, PARTITIONS);
  }

  /** Waits (bounded) until the writer has had another 1,000 records acknowledged. */
  private static void awaitProgress(Writer writer) {
    long target = writer.ackedCount() + 1_000;
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> writer.ackedCount() >= target || writer.failure != null);
    assertThat(writer.failure).isNull();
  }

  /** Writes continuously; remembers what was acknowledged, per partition, in ack order. */
  private final class Writer extends Thread {
    final AtomicBoolean stop = new AtomicBoolean();
    final Map<Integer, List<String>> acked = new HashMap<>();
    volatile long lastAckNanos;
    volatile Exception failure;

    long ackedCount() {
      synchronized (acked) {
        long n = 0;
        for (List<String> values : acked.values()) {
          n += values.size();
        }
        return n;
      }
    }

    Writer() {
      super("chaos-writer");
      for (int p = 0; p < PARTITIONS; p++) {
        acked.put(p, new ArrayList<>());
      }
    }

    @Override
    public void run() {
      Map<String, Object> conf = new HashMap<>();
      conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
      conf.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      conf.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      conf.put(ProducerConfig.ACKS_CONFIG, "all");
      conf.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      conf.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
      conf.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
      conf.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
      conf.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
      conf.put(ProducerConfig.LINGER_MS_CONFIG, 2);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(conf)) {
        long seq = 0;
        while (!stop.get()) {
          int p = (int) (seq % PARTITIONS);
          String value = "p" + p + "-" + seq;
          producer.send(
              new ProducerRecord<>(TOPIC, p, null, value.getBytes(StandardCharsets.UTF_8)),
              (md, e) -> {
                if (e == null) {
                  synchronized (acked) {
                    acked.get(p).add(value);
                  }
                  lastAckNanos = System.nanoTime();
                }
              });
          seq++;
          if (seq % 50 == 0) {
            Thread.sleep(5); // about 10k records/s at most: keeps the test's disk use small
          }
        }
        producer.flush();
      } catch (Exception e) {
        failure = e;
      }
    }
  }

  @Test
  void leadersKilledOneAfterAnotherLoseNoAcknowledgedRecord() throws Exception {
    startCluster();
    awaitFullIsr();
    Writer writer = new Writer();
    writer.start();
    awaitProgress(writer);
    List<Long> failoverMs = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      int partition = round * 2;
      PartitionState before = state(partition);
      int victim = before.leader();
      cluster.kill(victim);
      long killed = System.nanoTime();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  state(partition).leaderEpoch() > before.leaderEpoch()
                      && state(partition).leader() >= 0);
      failoverMs.add(probeFirstProduce(partition, killed));
      cluster.restart(victim);
      awaitFullIsr();
      awaitProgress(writer);
    }
    writer.stop.set(true);
    writer.join(150_000);
    assertThat(writer.failure).isNull();
    System.out.println(
        "SIGKILL failover, leader death -> first acks=all produce (ms): " + failoverMs);

    verify(writer);
  }

  @Test
  void brokerPausedPastItsSessionIsFencedAndRejoinsWithoutLosingAcknowledgedRecords()
      throws Exception {
    startCluster();
    awaitFullIsr();
    Writer writer = new Writer();
    writer.start();
    awaitProgress(writer);
    PartitionState before = state(0);
    int victim = before.leader();
    signal("STOP", cluster.broker(victim).pid());
    try {
      // Its session expires; the controller (possibly the paused broker itself until then: a
      // new one is elected) moves leadership away.
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> state(0).leader() != victim && state(0).leader() >= 0);
      // The writer goes on against the new leader while the old one is still paused.
      awaitProgress(writer);
    } finally {
      signal("CONT", cluster.broker(victim).pid());
    }
    assertThat(state(0).leaderEpoch()).isGreaterThan(before.leaderEpoch());
    awaitFullIsr();
    awaitProgress(writer);
    writer.stop.set(true);
    writer.join(150_000);
    assertThat(writer.failure).isNull();
    boolean truncated =
        cluster.broker(victim).output().stream().anyMatch(l -> l.contains("Truncating " + TOPIC));
    System.out.println("paused broker " + victim + " truncated a stale tail: " + truncated);
    verify(writer);
  }

  /** The producer's global send counter, the suffix of {@code p<partition>-<seq>}. */
  private static long sendSequence(String value) {
    return Long.parseLong(value.substring(value.indexOf('-') + 1));
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  private void verify(Writer writer) throws Exception {
    Map<Integer, List<String>> read = readAll();
    long total = 0;
    for (int p = 0; p < PARTITIONS; p++) {
      List<String> acked;
      synchronized (writer.acked) {
        acked = new ArrayList<>(writer.acked.get(p));
      }
      List<String> got = read.get(p);
      assertThat(new LinkedHashSet<>(got)).as("duplicates in partition %d", p).hasSize(got.size());
      Set<String> ackedSet = Set.copyOf(acked);
      // Send order is the order the log must keep. Ack callbacks are not in send order: a batch
      // that failed over is retried and acknowledged after later batches already were.
      acked.sort(java.util.Comparator.comparingLong(CrashFailoverTest::sendSequence));
      List<String> ackedInLog = got.stream().filter(ackedSet::contains).toList();
      assertThat(ackedInLog)
          .as("acknowledged records of partition %d", p)
          .containsExactlyElementsOf(acked);
      total += acked.size();
    }
    assertThat(total).isGreaterThan(500);
    assertReplicasIdentical();
  }

  /** Sends probe records to {@code partition} until one is acknowledged; returns ms since kill. */
  private long probeFirstProduce(int partition, long killedNanos) throws Exception {
    Map<String, Object> conf = new HashMap<>();
    conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    conf.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    conf.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    conf.put(ProducerConfig.ACKS_CONFIG, "all");
    conf.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 500);
    conf.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 20);
    try (KafkaProducer<byte[], byte[]> probe = new KafkaProducer<>(conf)) {
      probe.send(new ProducerRecord<>("probe-" + partition + "-" + killedNanos, new byte[1]));
      probe
          .send(new ProducerRecord<>(TOPIC, partition, null, new byte[0]))
          .get(60, TimeUnit.SECONDS);
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNanos);
  }

  private Map<Integer, List<String>> readAll() {
    Map<String, Object> conf = new HashMap<>();
    conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    conf.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    conf.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    conf.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<Integer, List<String>> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(conf)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        tps.add(new TopicPartition(TOPIC, p));
        out.put(p, new ArrayList<>());
      }
      consumer.assign(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        boolean done = true;
        for (TopicPartition tp : tps) {
          if (consumer.position(tp) < end.get(tp)) {
            done = false;
          }
        }
        if (done) {
          break;
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value().length > 0) {
            out.get(r.partition()).add(new String(r.value(), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return out;
  }

  /** Stops every broker cleanly, then compares each partition's replicas byte for byte. */
  private void assertReplicasIdentical() throws Exception {
    awaitFullIsr();
    // Followers learn the final high watermark on their next fetch: wait until every replica
    // reports it (its /metrics gauges) before stopping them.
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(this::everyReplicaKnowsItsLogEndIsCommitted);
    cluster.stopAll();
    LogConfig config = LogConfig.fromMap(LogConfig.defaultValues());
    for (int p = 0; p < PARTITIONS; p++) {
      byte[] reference = null;
      long referenceHw = -1;
      for (int id = 0; id < 3; id++) {
        Path partitionDir = dir.resolve("broker-" + id).resolve(TOPIC + "-" + p);
        try (PartitionLog log = PartitionLog.open(partitionDir, config, Time.SYSTEM, true)) {
          long hw = log.highWatermark();
          assertThat(hw)
              .as("high watermark of %s on broker %d", partitionDir, id)
              .isEqualTo(log.logEndOffset());
          byte[] bytes = TestCluster.logBytes(log, hw);
          if (reference == null) {
            reference = bytes;
            referenceHw = hw;
          } else {
            assertThat(hw).as("partition %d broker %d", p, id).isEqualTo(referenceHw);
            assertThat(bytes).as("partition %d broker %d", p, id).isEqualTo(reference);
          }
        }
      }
    }
  }

  /** Whether, for every partition, each replica's high watermark equals one common log end. */
  private boolean everyReplicaKnowsItsLogEndIsCommitted() throws Exception {
    Map<String, Set<Long>> offsets = new HashMap<>();
    for (int id : cluster.runningIds()) {
      String url = "http://127.0.0.1:" + metricsPorts.get(id) + "/metrics";
      HttpResponse<String> scrape =
          http.send(HttpRequest.newBuilder(URI.create(url)).build(), BodyHandlers.ofString());
      Matcher m = PARTITION_GAUGE.matcher(scrape.body());
      while (m.find()) {
        offsets
            .computeIfAbsent(m.group(2), k -> new LinkedHashSet<>())
            .add((long) Double.parseDouble(m.group(3)));
      }
    }
    for (int p = 0; p < PARTITIONS; p++) {
      Set<Long> seen = offsets.get(Integer.toString(p));
      // One value: three high watermarks and three log ends, all the same offset.
      if (seen == null || seen.size() != 1) {
        return false;
      }
    }
    return true;
  }
}
