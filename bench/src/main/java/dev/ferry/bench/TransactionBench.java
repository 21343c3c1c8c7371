package dev.ferry.bench;

import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.FerryLauncher;
import dev.ferry.bench.broker.KafkaLauncher;
import dev.ferry.bench.workload.Payloads;
import dev.ferry.bench.workload.StartupProbe;
import dev.ferry.bench.workload.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Transactions, Kafka and Ferry side by side (issue 12): a transactional producer writing
 * transactions of 100 records of 1 KB over 3 partitions (acks=all, idempotent, transactions v2 as
 * the 4.x client negotiates), committing each; then a read_committed consumer reading all of it
 * back. Reports records/s, the commitTransaction latency (p50/p99/max), and the broker's CPU time
 * per record ({@code /proc/PID/stat}). Each broker runs in turn (A B A B) with an untimed warm-up.
 * Writes {@code bench/results/transactions.md}.
 *
 * <pre>
 *   bench/transactions                    10 s per workload, 2 rounds
 *   bench/transactions --seconds 5 --rounds 1
 * </pre>
 */
public final class TransactionBench {

  private static final Duration STARTUP = Duration.ofSeconds(180);
  private static final String TOPIC = "txn-bench";
  private static final int PARTITIONS = 3;
  private static final int RECORDS_PER_TXN = 100;
  private static final int RECORD_BYTES = 1024;

  /** One broker's figures in one round. */
  private record Result(
      String broker,
      int round,
      double produceRate,
      double produceCpuMicrosPerRecord,
      long commitP50Micros,
      long commitP99Micros,
      long commitMaxMicros,
      long transactions,
      double readRate,
      double readCpuMicrosPerRecord) {}

  public static void main(String[] args) throws Exception {
    Path kafkaLib = Path.of("bench/work/kafka-lib");
    Path ferryHome = Path.of(".");
    int rounds = 2;
    int seconds = 10;
    int warmupSeconds = 8;
    Path out = Path.of("bench/results/transactions.md");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kafka-lib" -> kafkaLib = Path.of(args[++i]);
        case "--ferry-home" -> ferryHome = Path.of(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    Map<String, String> config =
        Map.of(
            "offsets.topic.replication.factor", "1",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "3",
            "group.initial.rebalance.delay.ms", "0");
    BrokerSettings settings = BrokerSettings.singleBroker(config);
    List<BrokerLauncher> launchers =
        List.of(new KafkaLauncher(kafkaLib), new FerryLauncher(ferryHome));
    Path runs = Path.of("bench/work/runs/transactions-" + Instant.now().getEpochSecond());
    List<Result> results = new ArrayList<>();
    List<Double> loads = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      for (BrokerLauncher launcher : launchers) {
        loads.add(Machine.loadAverage());
        Path dir = runs.resolve(launcher.name() + "-r" + r);
        try {
          Result result = run(launcher, dir, settings, r, seconds, warmupSeconds);
          say(result.toString());
          results.add(result);
        } catch (Exception e) {
          say(launcher.name() + " round " + r + ": FAILED " + e);
          failures.add(launcher.name() + " round " + r + ": " + e);
        }
      }
    }
    loads.add(Machine.loadAverage());
    String report = report(results, seconds, loads, failures);
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  private static Result run(
      BrokerLauncher launcher,
      Path runDir,
      BrokerSettings settings,
      int round,
      int seconds,
      int warmupSeconds)
      throws Exception {
    Files.createDirectories(runDir);
    say(launcher.name() + ": starting");
    try (BrokerProcess broker = launcher.launch(runDir, settings)) {
      StartupProbe.awaitFirstProduce(broker, STARTUP);
      String bootstrap = broker.bootstrapServers();
      Topics.create(bootstrap, TOPIC + "-warmup", PARTITIONS);
      Topics.create(bootstrap, TOPIC, PARTITIONS);
      Payloads payloads = Payloads.text(RECORD_BYTES, 42);
      // Untimed: both JVMs compile their transactional paths first.
      produce(bootstrap, TOPIC + "-warmup", payloads, warmupSeconds, new Histogram(3));

      Histogram commit = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      double cpu0 = broker.cpuSeconds();
      long t0 = System.nanoTime();
      long records = produce(bootstrap, TOPIC, payloads, seconds, commit);
      double produceSeconds = (System.nanoTime() - t0) / 1e9;
      double cpu1 = broker.cpuSeconds();

      long t1 = System.nanoTime();
      long read = readCommitted(bootstrap, records);
      double readSeconds = (System.nanoTime() - t1) / 1e9;
      double cpu2 = broker.cpuSeconds();
      if (read != records) {
        throw new IllegalStateException("read_committed read " + read + " of " + records);
      }
      broker.checkAlive();
      return new Result(
          launcher.name(),
          round,
          records / produceSeconds,
          (cpu1 - cpu0) * 1e6 / records,
          commit.getValueAtPercentile(50),
          commit.getValueAtPercentile(99),
          commit.getMaxValue(),
          commit.getTotalCount(),
          read / readSeconds,
          (cpu2 - cpu1) * 1e6 / read);
    }
  }

  /**
   * Transactions of {@value #RECORDS_PER_TXN} records round-robin over the partitions, each
   * committed, for {@code seconds}; the commit latency of each goes to {@code commitMicros}.
   *
   * @return records committed
   */
  private static long produce(
      String bootstrap, String topic, Payloads payloads, int seconds, Histogram commitMicros) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + topic);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    long records = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.initTransactions();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < end) {
        producer.beginTransaction();
        for (int i = 0; i < RECORDS_PER_TXN; i++) {
          producer.send(
              new ProducerRecord<>(
                  topic, (int) (records + i) % PARTITIONS, null, payloads.get(records + i)));
        }
        long c0 = System.nanoTime();
        producer.commitTransaction();
        commitMicros.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - c0));
        records += RECORDS_PER_TXN;
      }
    }
    return records;
  }

  /** Reads the topic from the start at read_committed until {@code expected} records (bounded). */
  private static long readCommitted(String bootstrap, long expected) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    long read = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < PARTITIONS; i++) {
        tps.add(new TopicPartition(TOPIC, i));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (read < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value().length == RECORD_BYTES) {
            read++;
          }
        }
      }
    }
    return read;
  }

  private static String report(
      List<Result> results, int seconds, List<Double> loads, List<String> failures) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Transactions: Apache Kafka 4.4.0 and Ferry\n\n")
        .append("One transactional producer (acks=all, idempotent, linger.ms=5), transactions of ")
        .append(RECORDS_PER_TXN)
        .append(" records of ")
        .append(RECORD_BYTES)
        .append(" bytes round-robin over ")
        .append(PARTITIONS)
        .append(" partitions, each committed, for ")
        .append(seconds)
        .append(" s after an untimed warm-up; then one read_committed consumer reads it all back.")
        .append(" Broker CPU from /proc/PID/stat. Load average during the runs: ")
        .append(loads.stream().map(l -> String.format(Locale.ROOT, "%.1f", l)).toList())
        .append(" (a shared 2-core machine).\n\n")
        .append("| broker | round | txn records/s | broker CPU µs/record | commit p50 ms |")
        .append(" commit p99 ms | commit max ms | transactions | read_committed records/s |")
        .append(" read CPU µs/record |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.0f | %.1f | %.2f | %.2f | %.2f | %d | %.0f | %.1f |%n",
              r.broker(),
              r.round(),
              r.produceRate(),
              r.produceCpuMicrosPerRecord(),
              r.commitP50Micros() / 1000.0,
              r.commitP99Micros() / 1000.0,
              r.commitMaxMicros() / 1000.0,
              r.transactions(),
              r.readRate(),
              r.readCpuMicrosPerRecord()));
    }
    Result kafka = best(results, "kafka");
    Result ferry = best(results, "ferry");
    if (kafka != null && ferry != null) {
      sb.append("\nFerry / Kafka, medians over rounds: throughput ")
          .append(ratio(median(results, "ferry", 0), median(results, "kafka", 0)))
          .append(", broker CPU per record ")
          .append(ratio(median(results, "ferry", 1), median(results, "kafka", 1)))
          .append(", commit p50 ")
          .append(ratio(median(results, "ferry", 2), median(results, "kafka", 2)))
          .append(", read_committed throughput ")
          .append(ratio(median(results, "ferry", 3), median(results, "kafka", 3)))
          .append(".\n");
    }
    if (!failures.isEmpty()) {
      sb.append("\nFailures:\n");
      failures.forEach(f -> sb.append("- ").append(f).append('\n'));
    }
    return sb.toString();
  }

  private static Result best(List<Result> results, String broker) {
    return results.stream().filter(r -> r.broker().equals(broker)).findFirst().orElse(null);
  }

  /** Median of one figure (0 rate, 1 CPU, 2 commit p50, 3 read rate) over a broker's rounds. */
  private static double median(List<Result> results, String broker, int figure) {
    double[] v =
        results.stream()
            .filter(r -> r.broker().equals(broker))
            .mapToDouble(
                r ->
                    switch (figure) {
                      case 0 -> r.produceRate();
                      case 1 -> r.produceCpuMicrosPerRecord();
                      case 2 -> r.commitP50Micros();
                      default -> r.readRate();
                    })
            .sorted()
            .toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String ratio(double ferry, double kafka) {
    return String.format(Locale.ROOT, "%.2f×", ferry / kafka);
  }

  private static void say(String message) {
    System.err.println("[bench/transactions] " + message);
  }
}
