package dev.ferry.bench;

import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.FerryLauncher;
import dev.ferry.bench.broker.KafkaLauncher;
import dev.ferry.bench.workload.StartupProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Open file descriptors at scale, Kafka and Ferry side by side (issue 22): one broker each, topics
 * totalling N partitions (RF 1), one record produced to every partition, then the broker's
 * descriptors counted from {@code /proc/PID/fd} with its RSS. Writes {@code
 * bench/results/open-files.md}.
 *
 * <pre>
 *   bench/open-files                       10 topics x 1,000 partitions
 *   bench/open-files --partitions 2000     fewer, on a slow or shared machine
 * </pre>
 */
public final class OpenFilesBench {

  private static final int TOPICS = 10;
  private static final Duration STARTUP = Duration.ofSeconds(180);

  private record Result(
      String broker,
      long fdsIdle,
      long fdsAfter,
      long limit,
      long rssIdleMb,
      long rssAfterMb,
      int acked,
      int failed,
      double createSeconds,
      double produceSeconds,
      String note) {}

  public static void main(String[] args) throws Exception {
    Path kafkaLib = Path.of("bench/work/kafka-lib");
    Path ferryHome = Path.of(".");
    int partitions = 10_000;
    Path out = Path.of("bench/results/open-files.md");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kafka-lib" -> kafkaLib = Path.of(args[++i]);
        case "--ferry-home" -> ferryHome = Path.of(args[++i]);
        case "--partitions" -> partitions = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    List<BrokerLauncher> launchers =
        List.of(new KafkaLauncher(kafkaLib), new FerryLauncher(ferryHome));
    BrokerSettings settings = BrokerSettings.singleBroker(Map.of());
    Path runs = Path.of("bench/work/runs/open-files-" + Instant.now().getEpochSecond());
    List<Result> results = new ArrayList<>();
    double loadBefore = Machine.loadAverage();
    for (BrokerLauncher launcher : launchers) {
      results.add(run(launcher, runs.resolve(launcher.name()), settings, partitions));
    }
    String report = report(results, partitions, loadBefore, Machine.loadAverage());
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  private static Result run(
      BrokerLauncher launcher, Path runDir, BrokerSettings settings, int partitions)
      throws Exception {
    Files.createDirectories(runDir);
    say(launcher.name() + ": starting");
    try (BrokerProcess broker = launcher.launch(runDir, settings)) {
      StartupProbe.awaitFirstProduce(broker, STARTUP);
      long fdsIdle = fds(broker.pid());
      long rssIdle = broker.rssBytes() / 1_000_000;
      long limit = limit(broker.pid());
      say(launcher.name() + ": ready, " + fdsIdle + " fds of " + limit);
      String bootstrap = broker.bootstrapServers();
      int perTopic = Math.max(1, partitions / TOPICS);
      long t0 = System.nanoTime();
      try (Admin admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrap,
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                  600_000,
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                  300_000))) {
        for (int t = 0; t < TOPICS; t++) {
          admin
              .createTopics(List.of(new NewTopic("fd-" + t, perTopic, (short) 1)))
              .all()
              .get(10, TimeUnit.MINUTES);
          say(launcher.name() + ": topic fd-" + t + " created, " + fds(broker.pid()) + " fds");
        }
      }
      double createSeconds = (System.nanoTime() - t0) / 1e9;
      AtomicInteger acked = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      long t1 = System.nanoTime();
      try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
        for (int t = 0; t < TOPICS; t++) {
          for (int p = 0; p < perTopic; p++) {
            producer.send(
                new ProducerRecord<>("fd-" + t, p, null, new byte[100]),
                (md, e) -> (e == null ? acked : failed).incrementAndGet());
          }
        }
        producer.flush();
      }
      double produceSeconds = (System.nanoTime() - t1) / 1e9;
      long fdsAfter = fds(broker.pid());
      long rssAfter = broker.rssBytes() / 1_000_000;
      say(launcher.name() + ": " + acked + " acked, " + failed + " failed, " + fdsAfter + " fds");
      return new Result(
          launcher.name(),
          fdsIdle,
          fdsAfter,
          limit,
          rssIdle,
          rssAfter,
          acked.get(),
          failed.get(),
          createSeconds,
          produceSeconds,
          "");
    } catch (Exception e) {
      say(launcher.name() + ": FAILED " + e);
      return new Result(launcher.name(), -1, -1, -1, -1, -1, 0, 0, 0, 0, e.toString());
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 50);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000);
    return new KafkaProducer<>(p);
  }

  /** Entries of /proc/PID/fd: every descriptor the process holds. */
  static long fds(long pid) throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return s.count();
    }
  }

  /** The soft "Max open files" of /proc/PID/limits. */
  static long limit(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
      if (line.startsWith("Max open files")) {
        return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }

  private static String report(
      List<Result> results, int partitions, double loadBefore, double loadAfter) {
    StringBuilder md = new StringBuilder();
    md.append("# Open file descriptors: ")
        .append(String.format("%,d", partitions))
        .append(" partitions on one broker\n\n");
    md.append("Generated by `bench/open-files` (")
        .append(OpenFilesBench.class.getName())
        .append(") on ")
        .append(Instant.now())
        .append(". ")
        .append(TOPICS)
        .append(" topics, RF 1, one 100-byte record produced to every partition (acks=1); ")
        .append("descriptors counted from `/proc/PID/fd` after start-up and after the produce. ")
        .append("Same machine, same limit, brokers one after the other (Kafka 4.4.0 KRaft ")
        .append("combined mode, Ferry with embedded ZooKeeper), heap 1g each. Load average ")
        .append(String.format("%.1f", loadBefore))
        .append(" before, ")
        .append(String.format("%.1f", loadAfter))
        .append(" after (a shared machine). Kafka answers CreateTopics before its broker has")
        .append(" created the logs, so its log creation falls in \"produce s\"; Ferry creates the")
        .append(" logs before answering. Before issue 22 Ferry held three descriptors per segment")
        .append(
            " (.log, .index, .timeindex) and ran out near 6,000 partitions under this limit.\n\n");
    md.append(
        "| broker | fds idle | fds after | per partition | limit | records acked | failed |"
            + " create s | produce s | RSS idle MB | RSS after MB |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      if (!r.note().isEmpty()) {
        md.append("| ").append(r.broker()).append(" | failed: ").append(r.note()).append(" |\n");
        continue;
      }
      md.append(
          String.format(
              "| %s | %,d | %,d | %.2f | %,d | %,d | %,d | %.0f | %.0f | %,d | %,d |%n",
              r.broker(),
              r.fdsIdle(),
              r.fdsAfter(),
              (r.fdsAfter() - r.fdsIdle()) / (double) partitions,
              r.limit(),
              r.acked(),
              r.failed(),
              r.createSeconds(),
              r.produceSeconds(),
              r.rssIdleMb(),
              r.rssAfterMb()));
    }
    return md.toString();
  }

  private static void say(String s) {
    System.err.println("[open-files] " + s);
  }
}
