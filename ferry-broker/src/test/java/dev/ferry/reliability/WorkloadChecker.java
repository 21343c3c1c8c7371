package dev.ferry.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write-then-verify workload in the style of a Jepsen queue test, against any broker list.
 *
 * <p>Each producer writes a numbered stream ({@code "p<producer>-<seq>"}) with acks=all and
 * idempotence, round-robin over the topic's partitions, and records which sequence numbers were
 * acknowledged at which offset. A live consumer reads everything during the run. {@link #check}
 * then reads the whole topic back with a fresh consumer and counts lost acknowledged records,
 * duplicates, per-producer reorderings within a partition, and reads that later vanished.
 *
 * <p>Threads: one per producer (plus the client's own I/O threads) and one for the live consumer.
 * Brokers are found through {@code bootstrap}, evaluated whenever a client is created, so a cluster
 * that changes addresses between restarts still works.
 *
 * <p>Also a command: {@code WorkloadChecker --bootstrap HOST:PORT [--duration S] [--producers N]
 * [--partitions N] [--rate R] [--topic T] [--replication-factor N] [--min-insync-replicas N]} runs
 * against an existing broker or cluster and prints the summary (exit code 1 if the check fails).
 */
public final class WorkloadChecker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkloadChecker.class);

  /** Lost, moved or duplicated records described in a report, at most. */
  private static final int MAX_ANOMALIES = 20;

  /**
   * @param topic created if absent
   * @param partitions partitions of the topic
   * @param producers concurrent producer clients
   * @param recordsPerSecond per producer; 0 = as fast as the client accepts
   * @param deliveryTimeout the producers' delivery.timeout.ms: how long a record may be retried
   * @param replicationFactor of the topic, if it is created
   * @param topicConfigs of the topic, if it is created (e.g. min.insync.replicas)
   */
  public record Settings(
      String topic,
      int partitions,
      int producers,
      int recordsPerSecond,
      Duration deliveryTimeout,
      short replicationFactor,
      Map<String, String> topicConfigs) {

    /** A topic with one replica and default configs (a single broker). */
    public Settings(
        String topic,
        int partitions,
        int producers,
        int recordsPerSecond,
        Duration deliveryTimeout) {
      this(topic, partitions, producers, recordsPerSecond, deliveryTimeout, (short) 1, Map.of());
    }

    public Settings {
      topicConfigs = Map.copyOf(topicConfigs);
    }

    public static Settings defaults(String topic) {
      return new Settings(topic, 3, 3, 500, Duration.ofSeconds(120));
    }
  }

  private final Supplier<String> bootstrap;
  private final Settings settings;
  private final AckLedger[] ledgers;
  private final PartitionHistory[] live;
  private final AtomicBoolean stopProducing = new AtomicBoolean();
  private final AtomicBoolean stopConsuming = new AtomicBoolean();
  private final List<Thread> producerThreads = new ArrayList<>();
  private Thread consumerThread;
  private volatile KafkaConsumer<byte[], byte[]> liveConsumer;
  private final AtomicLong producerRestarts = new AtomicLong();

  public WorkloadChecker(Supplier<String> bootstrap, Settings settings) {
    this.bootstrap = bootstrap;
    this.settings = settings;
    this.ledgers = new AckLedger[settings.producers()];
    for (int i = 0; i < ledgers.length; i++) {
      ledgers[i] = new AckLedger();
    }
    this.live = new PartitionHistory[settings.partitions()];
    for (int i = 0; i < live.length; i++) {
      live[i] = new PartitionHistory();
    }
  }

  /** Creates the topic (retrying for up to {@code timeout}) and starts producers and consumer. */
  public void start(Duration timeout) throws InterruptedException {
    createTopic(timeout);
    for (int i = 0; i < settings.producers(); i++) {
      int index = i;
      Thread t = new Thread(() -> produce(index), "workload-producer-" + i);
      t.setDaemon(true);
      producerThreads.add(t);
      t.start();
    }
    consumerThread = new Thread(this::consumeLive, "workload-live-consumer");
    consumerThread.setDaemon(true);
    consumerThread.start();
  }

  private void createTopic(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (Admin admin = Admin.create(adminConfig())) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(
                            settings.topic(), settings.partitions(), settings.replicationFactor())
                        .configs(settings.topicConfigs())))
            .all()
            .get(10, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicExistsException) {
          return;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("Cannot create topic " + settings.topic(), e);
        }
      } catch (java.util.concurrent.TimeoutException | KafkaException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("Cannot create topic " + settings.topic(), e);
        }
      }
      Thread.sleep(200);
    }
  }

  private Map<String, Object> adminConfig() {
    Map<String, Object> c = new HashMap<>();
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
    c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    return c;
  }

  private KafkaProducer<byte[], byte[]> newProducer(int index) {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
    c.put(ProducerConfig.CLIENT_ID_CONFIG, "workload-p" + index);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    c.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    c.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
    c.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    // The client insists on delivery.timeout.ms >= linger.ms + request.timeout.ms.
    c.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        (int) Math.max(settings.deliveryTimeout().toMillis(), 5_000 + 5));
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    // Bounded client memory: at most this much outstanding per producer.
    c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * 1024 * 1024);
    return new KafkaProducer<>(c);
  }

  private void produce(int index) {
    AckLedger ledger = ledgers[index];
    KafkaProducer<byte[], byte[]> producer = newProducer(index);
    long intervalNanos =
        settings.recordsPerSecond() > 0 ? 1_000_000_000L / settings.recordsPerSecond() : 0;
    long next = System.nanoTime();
    long seq = 0;
    try {
      while (!stopProducing.get()) {
        if (intervalNanos > 0) {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          // After a stall (broker down) resume the pace instead of bursting to catch up.
          next = Math.max(next + intervalNanos, System.nanoTime() - 100 * intervalNanos);
        }
        int partition = (int) ((seq + index) % settings.partitions());
        long s = seq++;
        ledger.sent(s);
        try {
          producer.send(
              new ProducerRecord<>(settings.topic(), partition, null, RecordId.value(index, s)),
              (md, e) -> {
                if (e == null) {
                  ledger.acknowledged(s, md.partition(), md.offset());
                } else {
                  ledger.failed(s);
                }
              });
        } catch (KafkaException | IllegalStateException e) {
          // A fatal producer state: start over with a new producer id. Sequence numbers go on, so
          // per-producer order within a partition is still checkable.
          log.warn("Producer {} failed ({}); replacing it", index, e.toString());
          ledger.notSent(s);
          producer.close(Duration.ofSeconds(5));
          producerRestarts.incrementAndGet();
          producer = newProducer(index);
        }
      }
      producer.flush();
    } catch (RuntimeException e) {
      log.error("Producer thread {} died", index, e);
    } finally {
      producer.close(Duration.ofSeconds(10));
    }
  }

  private KafkaConsumer<byte[], byte[]> newConsumer(String clientId) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    c.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    return new KafkaConsumer<>(c);
  }

  private List<TopicPartition> partitions() {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < settings.partitions(); p++) {
      tps.add(new TopicPartition(settings.topic(), p));
    }
    return tps;
  }

  private void consumeLive() {
    try (KafkaConsumer<byte[], byte[]> consumer = newConsumer("workload-live")) {
      liveConsumer = consumer;
      consumer.assign(partitions());
      consumer.seekToBeginning(partitions());
      while (!stopConsuming.get()) {
        try {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            live[r.partition()].observe(r.offset(), RecordId.parse(r.value()));
          }
        } catch (WakeupException e) {
          break;
        } catch (KafkaException e) {
          // Broker restarting: the client reconnects by itself; keep polling.
          log.debug("Live consumer: {}", e.toString());
        }
      }
    } catch (RuntimeException e) {
      log.error("Live consumer died", e);
    }
  }

  /** Acknowledgements so far, over all producers. */
  public long acknowledged() {
    long n = 0;
    for (AckLedger l : ledgers) {
      n += l.acknowledgedCount();
    }
    return n;
  }

  /** Distinct offsets the live consumer has read so far. */
  public long liveRecords() {
    long n = 0;
    for (PartitionHistory h : live) {
      n += h.records();
    }
    return n;
  }

  /** How often a producer hit a fatal error and was replaced by a new one (new producer id). */
  public long producerRestarts() {
    return producerRestarts.get();
  }

  /**
   * Stops sending and waits (up to {@code timeout}) for every outstanding record to be acknowledged
   * or to fail.
   */
  public void stopProducing(Duration timeout) throws InterruptedException {
    stopProducing.set(true);
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : producerThreads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (t.isAlive()) {
        throw new IllegalStateException(t.getName() + " did not finish within " + timeout);
      }
    }
  }

  /**
   * Stops the workload, reads every partition from the beginning to its end offset with a fresh
   * consumer (within {@code readTimeout}) and compares that with what was acknowledged and read.
   */
  public CheckReport check(Duration readTimeout) throws InterruptedException {
    if (!stopProducing.get()) {
      stopProducing(settings.deliveryTimeout().plusSeconds(30));
    }
    stopLiveConsumer();
    PartitionHistory[] last = readEverything(readTimeout);
    return compare(last);
  }

  private void stopLiveConsumer() throws InterruptedException {
    stopConsuming.set(true);
    KafkaConsumer<byte[], byte[]> c = liveConsumer;
    if (c != null) {
      c.wakeup();
    }
    if (consumerThread != null) {
      consumerThread.join(30_000);
    }
  }

  private PartitionHistory[] readEverything(Duration timeout) {
    PartitionHistory[] result = new PartitionHistory[settings.partitions()];
    for (int i = 0; i < result.length; i++) {
      result[i] = new PartitionHistory();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = newConsumer("workload-final-read")) {
      List<TopicPartition> tps = partitions();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout);
      while (!reachedEnd(consumer, end)) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(
              "Final read did not reach the end offsets " + end + " within " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            result[r.partition()].observe(r.offset(), RecordId.parse(r.value()));
          }
        }
      }
    }
    return result;
  }

  private static boolean reachedEnd(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey(), Duration.ofSeconds(10)) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private CheckReport compare(PartitionHistory[] last) {
    int producers = settings.producers();
    LongList[] foundAt = new LongList[producers]; // seq -> (offset << 16 | partition), -1 absent
    for (int i = 0; i < producers; i++) {
      foundAt[i] = new LongList(-1);
    }
    long finalRecords = 0;
    long duplicates = 0;
    long reorderings = 0;
    long foreign = 0;
    List<CheckReport.Anomaly> anomalies = new ArrayList<>();
    for (int p = 0; p < last.length; p++) {
      long[] lastSeq = new long[producers];
      java.util.Arrays.fill(lastSeq, -1);
      PartitionHistory h = last[p];
      for (long offset = 0; offset < h.endOffset(); offset++) {
        if (!h.seen(offset)) {
          continue;
        }
        finalRecords++;
        long id = h.at(offset);
        int producer = id == RecordId.NONE ? -1 : RecordId.producer(id);
        if (producer < 0 || producer >= producers) {
          foreign++;
          continue;
        }
        long seq = RecordId.seq(id);
        long earlierCopy = foundAt[producer].get(seq);
        if (earlierCopy != -1) {
          duplicates++;
          if (anomalies.size() < MAX_ANOMALIES) {
            anomalies.add(
                new CheckReport.Anomaly(
                    String.format(
                        "duplicate %s in partition %d at offsets %d and %d (acknowledged: %s)",
                        RecordId.toString(id),
                        p,
                        earlierCopy >>> 16,
                        offset,
                        ledgers[producer].isAcknowledged(seq)
                            ? "offset " + ledgers[producer].offset(seq)
                            : "no"),
                    p,
                    List.of(earlierCopy >>> 16, offset)));
          }
          continue;
        }
        foundAt[producer].set(seq, (offset << 16) | p);
        if (seq < lastSeq[producer]) {
          reorderings++;
        }
        lastSeq[producer] = Math.max(lastSeq[producer], seq);
      }
    }
    long sent = 0;
    long acknowledged = 0;
    long acknowledgedWithoutOffset = 0;
    long failed = 0;
    long lost = 0;
    long moved = 0;
    long unacknowledgedPresent = 0;
    for (int i = 0; i < producers; i++) {
      AckLedger ledger = ledgers[i];
      sent += ledger.sentCount() - ledger.notSentCount();
      acknowledged += ledger.acknowledgedCount();
      acknowledgedWithoutOffset += ledger.acknowledgedWithoutOffsetCount();
      failed += ledger.failedCount();
      long seqEnd = Math.max(ledger.seqEnd(), foundAt[i].size());
      for (long seq = 0; seq < seqEnd; seq++) {
        long found = foundAt[i].get(seq);
        if (ledger.isAcknowledged(seq)) {
          if (found == -1) {
            lost++;
            if (anomalies.size() < MAX_ANOMALIES) {
              anomalies.add(
                  new CheckReport.Anomaly(
                      String.format(
                          "lost acknowledged %s (partition %d, offset %d)",
                          RecordId.toString(RecordId.of(i, seq)),
                          ledger.partition(seq),
                          ledger.offset(seq)),
                      ledger.partition(seq),
                      List.of(ledger.offset(seq))));
            }
          } else if ((ledger.offset(seq) >= 0 && (found >>> 16) != ledger.offset(seq))
              || (int) (found & 0xFFFF) != ledger.partition(seq)) {
            moved++;
            if (anomalies.size() < MAX_ANOMALIES) {
              anomalies.add(
                  new CheckReport.Anomaly(
                      String.format(
                          "%s acknowledged at partition %d offset %d, found at partition %d"
                              + " offset %d",
                          RecordId.toString(RecordId.of(i, seq)),
                          ledger.partition(seq),
                          ledger.offset(seq),
                          found & 0xFFFF,
                          found >>> 16),
                      ledger.partition(seq),
                      List.of(ledger.offset(seq), found >>> 16)));
            }
          }
        } else if (found != -1) {
          unacknowledgedPresent++;
        }
      }
    }
    long unstable = 0;
    long liveRecords = 0;
    for (int p = 0; p < live.length; p++) {
      PartitionHistory seen = live[p];
      liveRecords += seen.records();
      unstable += seen.conflicts();
      for (long offset = 0; offset < seen.endOffset(); offset++) {
        if (seen.seen(offset) && (!last[p].seen(offset) || last[p].at(offset) != seen.at(offset))) {
          unstable++;
        }
      }
    }
    return new CheckReport(
        sent,
        acknowledged,
        acknowledgedWithoutOffset,
        failed,
        lost,
        moved,
        duplicates,
        reorderings,
        unacknowledgedPresent,
        unstable,
        foreign,
        finalRecords,
        liveRecords,
        anomalies);
  }

  @Override
  public void close() {
    stopProducing.set(true);
    try {
      for (Thread t : producerThreads) {
        t.join(30_000);
      }
      stopLiveConsumer();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs the workload against a running broker for a while and prints the summary. */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("Expected --name value, got " + args[i]);
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    String bootstrap = opts.get("bootstrap");
    if (bootstrap == null) {
      System.err.println(
          "usage: WorkloadChecker --bootstrap HOST:PORT [--duration SECONDS] [--producers N]"
              + " [--partitions N] [--rate RECORDS_PER_SECOND_PER_PRODUCER] [--topic NAME]"
              + " [--replication-factor N] [--min-insync-replicas N]");
      System.exit(2);
      return;
    }
    Settings settings =
        new Settings(
            opts.getOrDefault("topic", "workload-" + System.currentTimeMillis()),
            Integer.parseInt(opts.getOrDefault("partitions", "3")),
            Integer.parseInt(opts.getOrDefault("producers", "3")),
            Integer.parseInt(opts.getOrDefault("rate", "500")),
            Duration.ofSeconds(120),
            Short.parseShort(opts.getOrDefault("replication-factor", "1")),
            opts.containsKey("min-insync-replicas")
                ? Map.of("min.insync.replicas", opts.get("min-insync-replicas"))
                : Map.of());
    long seconds = Long.parseLong(opts.getOrDefault("duration", "60"));
    CheckReport report;
    try (WorkloadChecker checker = new WorkloadChecker(() -> bootstrap, settings)) {
      checker.start(Duration.ofSeconds(60));
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < end) {
        Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        System.out.printf(
            "%,d acknowledged, %,d read live%n", checker.acknowledged(), checker.liveRecords());
      }
      report = checker.check(Duration.ofMinutes(5));
    }
    System.out.println(report.summary());
    System.exit(report.ok() ? 0 : 1);
  }
}
