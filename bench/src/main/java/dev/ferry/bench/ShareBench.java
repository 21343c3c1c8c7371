package dev.ferry.bench;

import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.FerryLauncher;
import dev.ferry.bench.broker.KafkaLauncher;
import dev.ferry.bench.workload.Payloads;
import dev.ferry.bench.workload.ShareConsumerRun;
import dev.ferry.bench.workload.ShareConsumerRun.Mode;
import dev.ferry.bench.workload.StartupProbe;
import dev.ferry.bench.workload.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Share groups (KIP-932, issue 15), Kafka and Ferry side by side: {@link
 * org.apache.kafka.clients.consumer.KafkaShareConsumer}s reading a topic that already holds the
 * records, with 1 and with 4 consumers in the group, each acknowledging implicitly (the client
 * default: acknowledgements ride on the next ShareFetch) and with {@code commitSync()} after every
 * poll (explicit mode; its latency is the acknowledge latency). Reports records/s, the broker's CPU
 * time per record ({@code /proc/PID/stat}) and commitSync p50/p99. Each broker runs in turn (A B A
 * B) with an untimed warm-up of the same workloads on another topic. Writes {@code
 * bench/results/share.md}.
 *
 * <pre>
 *   bench/share                               3 rounds, 200k records of 1 KB, 1 partition
 *   bench/share --rounds 1 --records 50000    a quick look
 * </pre>
 */
public final class ShareBench {

  private static final Duration STARTUP = Duration.ofSeconds(180);
  private static final String TOPIC = "share-bench";
  private static final int RECORD_BYTES = 1024;
  private static final int[] CONSUMERS = {1, 4};

  /** One workload of one broker in one round. */
  private record Result(
      String broker,
      int round,
      int consumers,
      Mode mode,
      double load,
      double rate,
      double cpuMicrosPerRecord,
      long distinct,
      long repeats,
      long doubleFirst,
      double ackP50Ms,
      double ackP99Ms) {

    String key() {
      return consumers + " " + mode;
    }
  }

  public static void main(String[] args) throws Exception {
    Path kafkaLib = Path.of("bench/work/kafka-lib");
    Path ferryHome = Path.of(".");
    int rounds = 3;
    int records = 200_000;
    int partitions = 1;
    int maxSeconds = 20;
    Path out = Path.of("bench/results/share.md");
    List<String> only = new ArrayList<>(List.of("kafka", "ferry"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kafka-lib" -> kafkaLib = Path.of(args[++i]);
        case "--ferry-home" -> ferryHome = Path.of(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--records" -> records = Integer.parseInt(args[++i]);
        case "--partitions" -> partitions = Integer.parseInt(args[++i]);
        case "--max-seconds" -> maxSeconds = Integer.parseInt(args[++i]);
        case "--skip-kafka" -> only.remove("kafka");
        case "--skip-ferry" -> only.remove("ferry");
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    Map<String, String> config =
        Map.of(
            "offsets.topic.replication.factor", "1",
            "share.coordinator.state.topic.replication.factor", "1",
            "share.coordinator.state.topic.min.isr", "1",
            "group.initial.rebalance.delay.ms", "0");
    BrokerSettings settings = BrokerSettings.singleBroker(config);
    List<BrokerLauncher> launchers = new ArrayList<>();
    if (only.contains("kafka")) {
      launchers.add(new KafkaLauncher(kafkaLib));
    }
    if (only.contains("ferry")) {
      launchers.add(new FerryLauncher(ferryHome));
    }
    Path runs = Path.of("bench/work/runs/share-" + Instant.now().getEpochSecond());
    List<Result> results = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      // Kafka first in even rounds, Ferry first in odd ones (A B B A): drift hits both alike.
      List<BrokerLauncher> order = new ArrayList<>(launchers);
      if (r % 2 == 1) {
        Collections.reverse(order);
      }
      for (BrokerLauncher launcher : order) {
        Path dir = runs.resolve(launcher.name() + "-r" + r);
        try {
          List<Result> run = run(launcher, dir, settings, r, records, partitions, maxSeconds);
          run.forEach(x -> say(x.toString()));
          results.addAll(run);
        } catch (Exception e) {
          say(launcher.name() + " round " + r + ": FAILED " + e);
          failures.add(launcher.name() + " round " + r + ": " + e);
        }
      }
    }
    String report = report(results, records, partitions, failures);
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  private static List<Result> run(
      BrokerLauncher launcher,
      Path runDir,
      BrokerSettings settings,
      int round,
      int records,
      int partitions,
      int maxSeconds)
      throws Exception {
    Files.createDirectories(runDir);
    say(launcher.name() + ": starting");
    try (BrokerProcess broker = launcher.launch(runDir, settings)) {
      StartupProbe.awaitFirstProduce(broker, STARTUP);
      String bootstrap = broker.bootstrapServers();
      Payloads payloads = Payloads.text(RECORD_BYTES, 42);
      Topics.create(bootstrap, TOPIC + "-warmup", partitions);
      Topics.create(bootstrap, TOPIC, partitions);
      int warmupRecords = Math.max(records / 4, 10_000);
      produce(bootstrap, TOPIC + "-warmup", partitions, warmupRecords, payloads);
      produce(bootstrap, TOPIC, partitions, records, payloads);

      // Untimed: the same workloads on the warm-up topic, so both JVMs compile their share paths.
      int group = 0;
      for (int consumers : CONSUMERS) {
        for (Mode mode : Mode.values()) {
          ShareConsumerRun.run(
              bootstrap,
              TOPIC + "-warmup",
              partitions,
              "warmup-" + group++,
              consumers,
              mode,
              warmupRecords,
              maxSeconds);
        }
      }

      List<Result> out = new ArrayList<>();
      for (int consumers : CONSUMERS) {
        for (Mode mode : Mode.values()) {
          double load = Machine.loadAverage();
          double cpu0 = broker.cpuSeconds();
          ShareConsumerRun.Result r =
              ShareConsumerRun.run(
                  bootstrap,
                  TOPIC,
                  partitions,
                  "bench-" + consumers + "-" + mode.name().toLowerCase(Locale.ROOT),
                  consumers,
                  mode,
                  records,
                  maxSeconds);
          double cpu1 = broker.cpuSeconds();
          boolean sync = mode == Mode.SYNC;
          out.add(
              new Result(
                  launcher.name(),
                  round,
                  consumers,
                  mode,
                  load,
                  r.recordsPerSecond(),
                  (cpu1 - cpu0) * 1e6 / r.distinct(),
                  r.distinct(),
                  r.repeats(),
                  r.doubleFirst(),
                  sync ? r.ackMicros().getValueAtPercentile(50) / 1000.0 : Double.NaN,
                  sync ? r.ackMicros().getValueAtPercentile(99) / 1000.0 : Double.NaN));
        }
      }
      broker.checkAlive();
      return out;
    }
  }

  /** Writes {@code count} records round-robin over the partitions, acks=1, batched; untimed. */
  private static void produce(
      String bootstrap, String topic, int partitions, int count, Payloads payloads)
      throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, i % partitions, null, payloads.get(i)));
      }
      producer.flush();
      // A last acked send proves everything before it is in the log.
      producer.send(new ProducerRecord<>(topic + "-done", new byte[0])).get(60, TimeUnit.SECONDS);
    }
  }

  private static String report(
      List<Result> results, int records, int partitions, List<String> failures) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Share groups (KIP-932): Apache Kafka 4.4.0 and Ferry\n\n")
        .append("`bench/share`: a topic of ")
        .append(partitions)
        .append(partitions == 1 ? " partition" : " partitions")
        .append(" holds ")
        .append(String.format(Locale.ROOT, "%,d", records))
        .append(" records of ")
        .append(RECORD_BYTES)
        .append(
            " bytes (written before, untimed); a new share group of 1 or 4 KafkaShareConsumers"
                + " (kafka-clients 4.4.0, default settings, one thread each, in the harness JVM)"
                + " reads until it has seen every record. **implicit**: the client's default"
                + " acknowledgement (each poll accepts the previous poll's records, carried on the"
                + " next ShareFetch); **sync**: `share.acknowledgement.mode=explicit`, every record"
                + " accepted and `commitSync()` after every poll, whose duration is the"
                + " acknowledge latency. Throughput from the first record received to the last"
                + " (group join excluded); broker CPU from /proc/PID/stat over the whole workload,"
                + " divided by the records. Single nodes, same JVM settings (-Xms1g -Xmx1g, G1),"
                + " an untimed warm-up of the same four workloads on another topic per broker"
                + " run; rounds alternate the order (K F, F K, ...). The load average is the"
                + " machine's 1-min figure as each workload started: a shared 2-core machine.\n\n");
    sb.append("## Medians over rounds\n\n")
        .append("| consumers | acks | Kafka records/s | Ferry records/s | Ferry/Kafka |")
        .append(" Kafka CPU µs/record | Ferry CPU µs/record | Ferry/Kafka |")
        .append(" Kafka ack p50 / p99 ms | Ferry ack p50 / p99 ms |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (int consumers : CONSUMERS) {
      for (Mode mode : Mode.values()) {
        String key = consumers + " " + mode;
        List<Result> k = of(results, "kafka", key);
        List<Result> f = of(results, "ferry", key);
        if (k.isEmpty() && f.isEmpty()) {
          continue;
        }
        double kr = median(k, Result::rate);
        double fr = median(f, Result::rate);
        double kc = median(k, Result::cpuMicrosPerRecord);
        double fc = median(f, Result::cpuMicrosPerRecord);
        sb.append(
            String.format(
                Locale.ROOT,
                "| %d | %s | %,.0f | %,.0f | %.2f× | %.1f | %.1f | %.2f× | %s | %s |%n",
                consumers,
                mode.name().toLowerCase(Locale.ROOT),
                kr,
                fr,
                fr / kr,
                kc,
                fc,
                fc / kc,
                latency(k),
                latency(f)));
      }
    }
    sb.append("\n## Every run\n\n")
        .append("| broker | round | consumers | acks | load | records/s | CPU µs/record |")
        .append(" records seen | repeated deliveries (of which delivery count 1) | ack p50 ms |")
        .append(" ack p99 ms |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %s | %.1f | %,.0f | %.1f | %,d | %d (%d) | %s | %s |%n",
              r.broker(),
              r.round(),
              r.consumers(),
              r.mode().name().toLowerCase(Locale.ROOT),
              r.load(),
              r.rate(),
              r.cpuMicrosPerRecord(),
              r.distinct(),
              r.repeats(),
              r.doubleFirst(),
              Double.isNaN(r.ackP50Ms()) ? "" : String.format(Locale.ROOT, "%.2f", r.ackP50Ms()),
              Double.isNaN(r.ackP99Ms()) ? "" : String.format(Locale.ROOT, "%.2f", r.ackP99Ms())));
    }
    if (!failures.isEmpty()) {
      sb.append("\nFailures:\n");
      failures.forEach(f -> sb.append("- ").append(f).append('\n'));
    }
    return sb.toString();
  }

  private static List<Result> of(List<Result> results, String broker, String key) {
    return results.stream().filter(r -> r.broker().equals(broker) && r.key().equals(key)).toList();
  }

  private static String latency(List<Result> rs) {
    if (rs.isEmpty() || rs.get(0).mode() != Mode.SYNC) {
      return "";
    }
    return String.format(
        Locale.ROOT, "%.2f / %.2f", median(rs, Result::ackP50Ms), median(rs, Result::ackP99Ms));
  }

  private static double median(List<Result> rs, ToDoubleFunction<Result> figure) {
    double[] v = rs.stream().mapToDouble(figure).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static void say(String message) {
    System.err.println("[bench/share] " + message);
  }
}
