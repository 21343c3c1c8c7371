package dev.ferry.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write-then-verify workload in the style of a Jepsen queue test, against any broker list.
 *
 * <p>Each producer writes a numbered stream ({@code "p<producer>-<seq>"}) with acks=all and
 * idempotence, round-robin over the topic's partitions, and records which sequence numbers were
 * acknowledged at which offset. With {@link Settings#transactional} each producer writes
 * transactions of {@value #TRANSACTION_RECORDS} records instead, aborts every {@value
 * #ABORT_EVERY}th on purpose, and counts a record acknowledged only once its transaction committed;
 * consumers then read with read_committed. A live consumer reads everything during the run. {@link
 * #check} then reads the whole topic back with a fresh consumer and hands both reads and the
 * acknowledgements to the {@link Checker}.
 *
 * <p>Threads: one per producer (plus the client's own I/O threads) and one for the {@link
 * LiveConsumer}. Brokers are found through {@code bootstrap}, evaluated whenever a client is
 * created, so a cluster that changes addresses between restarts still works.
 */
public final class WorkloadChecker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkloadChecker.class);

  /** Records per transaction of a transactional producer. */
  static final int TRANSACTION_RECORDS = 10;

  /** Every this many transactions one is aborted on purpose. */
  static final int ABORT_EVERY = 5;

  /** Sequence numbers are reserved in the journal this many at a time. */
  private static final int RESERVE_BLOCK = 1_000;

  /** A transactional producer that failed this often in a row without a commit gives up. */
  private static final int MAX_FAILED_ATTEMPTS = 5;

  /**
   * @param topic created if absent
   * @param partitions partitions of the topic
   * @param producers concurrent producer clients
   * @param recordsPerSecond per producer; 0 = as fast as the client accepts
   * @param deliveryTimeout the producers' delivery.timeout.ms: how long a record may be retried
   * @param replicationFactor of the topic, if it is created
   * @param topicConfigs of the topic, if it is created (e.g. min.insync.replicas)
   * @param clientProperties extra settings for every client (security, timeouts); they win
   * @param producerProperties extra settings for the producers only (e.g. acks=1 to show what it
   *     loses); they win
   * @param transactional transactions instead of plain idempotent sends
   * @param runTag the key of every record, telling this run's records from other runs' in a shared
   *     topic; null for none (the topic holds one run)
   */
  public record Settings(
      String topic,
      int partitions,
      int producers,
      int recordsPerSecond,
      Duration deliveryTimeout,
      short replicationFactor,
      Map<String, String> topicConfigs,
      Map<String, Object> clientProperties,
      Map<String, Object> producerProperties,
      boolean transactional,
      String runTag) {

    /** A topic with one replica and default configs (a single broker). */
    public Settings(
        String topic,
        int partitions,
        int producers,
        int recordsPerSecond,
        Duration deliveryTimeout) {
      this(topic, partitions, producers, recordsPerSecond, deliveryTimeout, (short) 1, Map.of());
    }

    public Settings(
        String topic,
        int partitions,
        int producers,
        int recordsPerSecond,
        Duration deliveryTimeout,
        short replicationFactor,
        Map<String, String> topicConfigs) {
      this(
          topic,
          partitions,
          producers,
          recordsPerSecond,
          deliveryTimeout,
          replicationFactor,
          topicConfigs,
          Map.of(),
          Map.of(),
          false,
          null);
    }

    public Settings {
      topicConfigs = Map.copyOf(topicConfigs);
      clientProperties = Map.copyOf(clientProperties);
      producerProperties = Map.copyOf(producerProperties);
    }

    public static Settings defaults(String topic) {
      return new Settings(topic, 3, 3, 500, Duration.ofSeconds(120));
    }

    public Settings withClientProperties(Map<String, Object> properties) {
      return new Settings(
          topic,
          partitions,
          producers,
          recordsPerSecond,
          deliveryTimeout,
          replicationFactor,
          topicConfigs,
          properties,
          producerProperties,
          transactional,
          runTag);
    }

    public Settings withProducerProperties(Map<String, Object> properties) {
      return new Settings(
          topic,
          partitions,
          producers,
          recordsPerSecond,
          deliveryTimeout,
          replicationFactor,
          topicConfigs,
          clientProperties,
          properties,
          transactional,
          runTag);
    }

    public Settings withTransactions(boolean on) {
      return new Settings(
          topic,
          partitions,
          producers,
          recordsPerSecond,
          deliveryTimeout,
          replicationFactor,
          topicConfigs,
          clientProperties,
          producerProperties,
          on,
          runTag);
    }

    public Settings withRunTag(String tag) {
      return new Settings(
          topic,
          partitions,
          producers,
          recordsPerSecond,
          deliveryTimeout,
          replicationFactor,
          topicConfigs,
          clientProperties,
          producerProperties,
          transactional,
          tag);
    }
  }

  private final Supplier<String> bootstrap;
  private final Settings settings;
  private final AckJournal journal;
  private final TopicReader reader;
  private final AckLedger[] ledgers;
  private final LiveConsumer live;
  private final AtomicBoolean stopProducing = new AtomicBoolean();
  private final List<Thread> producerThreads = new ArrayList<>();
  private CountDownLatch producersReady = new CountDownLatch(0);
  private final AtomicLong producerRestarts = new AtomicLong();
  private final AtomicReference<Exception> lastProducerError = new AtomicReference<>();

  public WorkloadChecker(Supplier<String> bootstrap, Settings settings) {
    this(bootstrap, settings, AckJournal.NONE);
  }

  /**
   * @param journal written before an acknowledgement or abort is counted
   */
  public WorkloadChecker(Supplier<String> bootstrap, Settings settings, AckJournal journal) {
    this.bootstrap = bootstrap;
    this.settings = settings;
    this.journal = journal;
    this.reader = new TopicReader(settings.topic(), settings.partitions(), settings.runTag());
    this.ledgers = new AckLedger[settings.producers()];
    for (int i = 0; i < ledgers.length; i++) {
      ledgers[i] = new AckLedger();
    }
    this.live =
        new LiveConsumer(
            reader,
            settings.partitions(),
            settings.runTag() == null ? settings.topic() : settings.runTag(),
            group -> newConsumer("workload-live", group));
  }

  /** Creates the topic (retrying for up to {@code timeout}) and starts producers and consumer. */
  public void start(Duration timeout) throws InterruptedException {
    start(timeout, true);
  }

  /**
   * Creates the topic (retrying for up to {@code timeout}) and starts the producers and, if {@code
   * liveConsumer}, a consumer reading along.
   */
  public void start(Duration timeout, boolean liveConsumer) throws InterruptedException {
    WorkloadTopic.create(bootstrap, settings, timeout);
    producersReady = new CountDownLatch(settings.producers());
    for (int i = 0; i < settings.producers(); i++) {
      int index = i;
      Runnable body =
          settings.transactional() ? () -> produceTransactions(index) : () -> produce(index);
      Thread t = new Thread(body, "workload-producer-" + i);
      t.setDaemon(true);
      producerThreads.add(t);
      t.start();
    }
    if (liveConsumer) {
      live.start();
    }
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
    if (settings.transactional()) {
      // One id per producer and run: a replacement producer fences its predecessor.
      String tag = settings.runTag() == null ? settings.topic() : settings.runTag();
      c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ferry-verify-" + tag + "-p" + index);
      c.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
    }
    c.putAll(settings.clientProperties());
    c.putAll(settings.producerProperties());
    return new KafkaProducer<>(c);
  }

  private ProducerRecord<byte[], byte[]> record(int producer, long seq, int partition) {
    return new ProducerRecord<>(
        settings.topic(), partition, reader.runTag(), RecordId.value(producer, seq));
  }

  /** Paces a producer at {@link Settings#recordsPerSecond}. */
  private final class Pace {
    private final long intervalNanos =
        settings.recordsPerSecond() > 0 ? 1_000_000_000L / settings.recordsPerSecond() : 0;
    private long next = System.nanoTime();

    void await() {
      if (intervalNanos > 0) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        // After a stall (broker down) resume the pace instead of bursting to catch up.
        next = Math.max(next + intervalNanos, System.nanoTime() - 100 * intervalNanos);
      }
    }
  }

  /** Hands out sequence numbers, reserving them in the journal before they are used. */
  private final class Sequence {
    private final int producer;
    private long next;
    private long reserved;

    Sequence(int producer) {
      this.producer = producer;
    }

    long next() {
      if (next >= reserved) {
        reserved = next + RESERVE_BLOCK;
        journal.reserve(producer, reserved);
      }
      return next++;
    }

    long used() {
      return next;
    }
  }

  private void acknowledge(int producer, long seq, int partition, long offset) {
    journal.acknowledged(producer, seq, partition, offset);
    ledgers[producer].acknowledged(seq, partition, offset);
  }

  private void produce(int index) {
    AckLedger ledger = ledgers[index];
    Sequence sequence = new Sequence(index);
    KafkaProducer<byte[], byte[]> producer = newProducer(index);
    producersReady.countDown();
    Pace pace = new Pace();
    try {
      while (!stopProducing.get()) {
        pace.await();
        long s = sequence.next();
        int partition = (int) ((s + index) % settings.partitions());
        ledger.sent(s);
        try {
          producer.send(
              record(index, s, partition),
              (md, e) -> {
                if (e == null) {
                  acknowledge(index, s, md.partition(), md.offset());
                } else {
                  ledger.failed(s);
                }
              });
        } catch (KafkaException | IllegalStateException e) {
          // A fatal producer state: start over with a new producer id. Sequence numbers go on, so
          // per-producer order within a partition is still checkable.
          log.warn("Producer {} failed ({}); replacing it", index, e.toString());
          lastProducerError.set(e);
          ledger.notSent(s);
          producer.close(Duration.ofSeconds(5));
          producerRestarts.incrementAndGet();
          producer = newProducer(index);
        }
      }
      producer.flush();
    } catch (RuntimeException e) {
      log.error("Producer thread {} died", index, e);
      lastProducerError.set(e);
    } finally {
      producer.close(Duration.ofSeconds(10));
      journal.finished(index, sequence.used() - ledger.notSentCount());
    }
  }

  /**
   * Transactions of {@link #TRANSACTION_RECORDS} records round-robin over the partitions; every
   * {@link #ABORT_EVERY}th is aborted on purpose. A failed transaction's records are counted failed
   * (their fate is unknown), and the producer is replaced (same transactional id: it fences the old
   * one).
   */
  private void produceTransactions(int index) {
    AckLedger ledger = ledgers[index];
    Sequence sequence = new Sequence(index);
    Pace pace = new Pace();
    long[] seqs = new long[TRANSACTION_RECORDS];
    int[] partitions = new int[TRANSACTION_RECORDS];
    long[] offsets = new long[TRANSACTION_RECORDS];
    long transactions = 0;
    int failedAttempts = 0;
    while (!stopProducing.get() && failedAttempts < MAX_FAILED_ATTEMPTS) {
      KafkaProducer<byte[], byte[]> producer = null;
      int n = 0;
      try {
        producer = newProducer(index);
        producer.initTransactions();
        producersReady.countDown();
        while (!stopProducing.get()) {
          producer.beginTransaction();
          for (n = 0; n < TRANSACTION_RECORDS; n++) {
            pace.await();
            long s = sequence.next();
            int slot = n;
            seqs[slot] = s;
            partitions[slot] = (int) ((s + index) % settings.partitions());
            offsets[slot] = -1;
            ledger.sent(s);
            producer.send(
                record(index, s, partitions[slot]),
                (md, e) -> {
                  if (e == null) {
                    offsets[slot] = md.offset();
                  }
                });
          }
          boolean abort = ++transactions % ABORT_EVERY == 0;
          if (abort) {
            producer.abortTransaction();
            for (int i = 0; i < n; i++) {
              journal.aborted(index, seqs[i]);
              ledger.aborted(seqs[i]);
            }
          } else {
            // Returns once every send completed: the callbacks above have run.
            producer.commitTransaction();
            for (int i = 0; i < n; i++) {
              acknowledge(index, seqs[i], partitions[i], offsets[i]);
            }
          }
          n = 0;
          failedAttempts = 0;
        }
      } catch (KafkaException | IllegalStateException e) {
        log.warn("Transactional producer {} failed ({}); replacing it", index, e.toString());
        lastProducerError.set(e);
        // A cluster without transactions, or that refuses this client them, will not change.
        boolean hopeless =
            e instanceof UnsupportedVersionException || e instanceof AuthorizationException;
        failedAttempts = hopeless ? MAX_FAILED_ATTEMPTS : failedAttempts + 1;
        producerRestarts.incrementAndGet();
        for (int i = 0; i < n; i++) {
          ledger.failed(seqs[i]);
        }
      } finally {
        if (producer != null) {
          producer.close(Duration.ofSeconds(5));
        }
      }
    }
    journal.finished(index, sequence.used());
  }

  private KafkaConsumer<byte[], byte[]> newConsumer(String clientId) {
    return newConsumer(clientId, Map.of());
  }

  private KafkaConsumer<byte[], byte[]> newConsumer(String clientId, Map<String, Object> extra) {
    Map<String, Object> c = new HashMap<>(extra);
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
    if (settings.transactional()) {
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }
    c.putAll(settings.clientProperties());
    return new KafkaConsumer<>(c);
  }

  /** Acknowledgements so far, over all producers. */
  public long acknowledged() {
    long n = 0;
    for (AckLedger l : ledgers) {
      n += l.acknowledgedCount();
    }
    return n;
  }

  /** Records handed to the producers so far. */
  public long sent() {
    long n = 0;
    for (AckLedger l : ledgers) {
      n += l.sentCount();
    }
    return n;
  }

  /** Distinct offsets the live consumer has read so far. */
  public long liveRecords() {
    return live.records();
  }

  /** How often a producer hit a fatal error and was replaced by a new one (new producer id). */
  public long producerRestarts() {
    return producerRestarts.get();
  }

  /** The last error that made a producer start over, or null. */
  public Exception lastProducerError() {
    return lastProducerError.get();
  }

  /**
   * Waits until every producer has been created (and, with transactions, registered its
   * transactional id: the first one may wait for the cluster to set up its transaction log), at
   * most {@code timeout}; returns whether they all are.
   */
  public boolean awaitProducersReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!producersReady.await(100, TimeUnit.MILLISECONDS)) {
      if (producersDone() || System.nanoTime() - deadline > 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether every producer thread has ended (stopped, or given up). */
  public boolean producersDone() {
    return producerThreads.stream().noneMatch(Thread::isAlive);
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
    live.stop();
    PartitionHistory[] last;
    try (KafkaConsumer<byte[], byte[]> consumer = newConsumer("workload-final-read")) {
      last = reader.readAll(consumer, readTimeout);
    }
    return Checker.compare(ledgers, live.histories(), last, live.committedOffsets());
  }

  /**
   * Reads the topic {@code settings} name from the beginning and checks it against {@code ledgers}
   * (from a {@link LedgerFile}): the second half of a split run.
   */
  public static CheckReport checkLedger(
      Supplier<String> bootstrap, Settings settings, AckLedger[] ledgers, Duration readTimeout) {
    WorkloadChecker reading = new WorkloadChecker(bootstrap, settings);
    try (KafkaConsumer<byte[], byte[]> consumer = reading.newConsumer("workload-check")) {
      return Checker.compare(
          ledgers, new PartitionHistory[0], reading.reader.readAll(consumer, readTimeout));
    }
  }

  @Override
  public void close() {
    stopProducing.set(true);
    try {
      for (Thread t : producerThreads) {
        t.join(30_000);
      }
      live.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
