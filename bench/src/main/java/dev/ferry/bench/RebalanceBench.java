package dev.ferry.bench;

import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.FerryLauncher;
import dev.ferry.bench.broker.KafkaLauncher;
import dev.ferry.bench.workload.StartupProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Rebalance time of a consumer group, Kafka and Ferry side by side (issue 14): a group of N
 * consumers (default 10) on a topic of 3N partitions; one more consumer joins, later one leaves;
 * each time, the time from the change (the new consumer's subscribe, the leaving one's close) until
 * the group is stable again: every partition owned by exactly one consumer and the counts balanced
 * (they differ by at most one). Both protocols: classic (the Java client's default {@code range},
 * an eager protocol) and consumer (KIP-848, the broker's {@code uniform} assignor). A paced
 * producer keeps records flowing meanwhile. Writes {@code bench/results/rebalance.md}.
 *
 * <pre>
 *   bench/rebalance                      10 members, 3 rounds
 *   bench/rebalance --members 5 --rounds 1
 * </pre>
 */
public final class RebalanceBench {

  private static final Duration STARTUP = Duration.ofSeconds(180);
  private static final Duration STABLE_TIMEOUT = Duration.ofSeconds(90);

  /** Heartbeat interval of both protocols on both brokers: how soon members learn of a change. */
  private static final int HEARTBEAT_MS = 500;

  private static final int PRODUCE_RATE = 500;

  /** One measured change: which broker, protocol, event, and milliseconds to stable. */
  private record Sample(String broker, String protocol, String event, long millis) {}

  public static void main(String[] args) throws Exception {
    Path kafkaLib = Path.of("bench/work/kafka-lib");
    Path ferryHome = Path.of(".");
    int members = 10;
    int rounds = 3;
    Path out = Path.of("bench/results/rebalance.md");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kafka-lib" -> kafkaLib = Path.of(args[++i]);
        case "--ferry-home" -> ferryHome = Path.of(args[++i]);
        case "--members" -> members = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    Map<String, String> groupConfig =
        Map.of(
            "group.initial.rebalance.delay.ms",
            "0",
            "group.consumer.min.heartbeat.interval.ms",
            Integer.toString(HEARTBEAT_MS),
            "group.consumer.heartbeat.interval.ms",
            Integer.toString(HEARTBEAT_MS),
            "offsets.topic.replication.factor",
            "1");
    BrokerSettings settings = BrokerSettings.singleBroker(groupConfig);
    List<BrokerLauncher> launchers =
        List.of(new KafkaLauncher(kafkaLib), new FerryLauncher(ferryHome));
    Path runs = Path.of("bench/work/runs/rebalance-" + Instant.now().getEpochSecond());
    List<Sample> samples = new ArrayList<>();
    List<Double> loads = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    // Alternating brokers round by round (A B A B), so drift of the shared machine hits both.
    for (int r = 0; r < rounds; r++) {
      for (BrokerLauncher launcher : launchers) {
        loads.add(Machine.loadAverage());
        Path dir = runs.resolve(launcher.name() + "-r" + r);
        try {
          samples.addAll(run(launcher, dir, settings, members));
        } catch (Exception e) {
          say(launcher.name() + " round " + r + ": FAILED " + e);
          failures.add(launcher.name() + " round " + r + ": " + e);
        }
      }
    }
    loads.add(Machine.loadAverage());
    String report = report(samples, members, rounds, loads, failures);
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  private static List<Sample> run(
      BrokerLauncher launcher, Path runDir, BrokerSettings settings, int members) throws Exception {
    Files.createDirectories(runDir);
    say(launcher.name() + ": starting");
    List<Sample> out = new ArrayList<>();
    try (BrokerProcess broker = launcher.launch(runDir, settings)) {
      StartupProbe.awaitFirstProduce(broker, STARTUP);
      String bootstrap = broker.bootstrapServers();
      int partitions = 3 * members;
      for (String protocol : List.of("classic", "consumer")) {
        String topic = "rebalance-" + protocol;
        try (Admin admin = admin(bootstrap)) {
          admin
              .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
              .all()
              .get(2, TimeUnit.MINUTES);
        }
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread producer = new Thread(() -> produce(bootstrap, topic, producing), "producer");
        producer.start();
        List<Member> group = new CopyOnWriteArrayList<>();
        try {
          for (int i = 0; i < members; i++) {
            group.add(new Member(bootstrap, topic, protocol, "m" + i).start());
          }
          awaitStable(group, partitions);
          Member joiner = new Member(bootstrap, topic, protocol, "joiner");
          long t0 = System.nanoTime();
          group.add(joiner.start());
          awaitStable(group, partitions);
          out.add(sample(launcher, protocol, "join", t0));
          Member leaver = group.remove(0);
          long t1 = System.nanoTime();
          leaver.stop();
          awaitStable(group, partitions);
          out.add(sample(launcher, protocol, "leave", t1));
          say(launcher.name() + " " + protocol + ": " + out.subList(out.size() - 2, out.size()));
        } finally {
          for (Member m : group) {
            m.stop();
          }
          producing.set(false);
          producer.join(TimeUnit.SECONDS.toMillis(30));
        }
      }
    }
    return out;
  }

  private static Sample sample(BrokerLauncher launcher, String protocol, String event, long t0) {
    return new Sample(
        launcher.name(), protocol, event, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  /** Waits until every partition has exactly one owner among {@code group} and counts balance. */
  private static void awaitStable(Collection<Member> group, int partitions) throws Exception {
    long deadline = System.nanoTime() + STABLE_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Set<TopicPartition> owned = new HashSet<>();
      int total = 0;
      int min = Integer.MAX_VALUE;
      int max = 0;
      for (Member m : group) {
        Set<TopicPartition> a = m.assignment;
        owned.addAll(a);
        total += a.size();
        min = Math.min(min, a.size());
        max = Math.max(max, a.size());
        if (m.failure != null) {
          throw new IllegalStateException(m.name + " failed", m.failure);
        }
      }
      if (owned.size() == partitions && total == partitions && max - min <= 1) {
        return;
      }
      Thread.sleep(2); // polling the members' published assignments; 2 ms of resolution
    }
    throw new IllegalStateException("group not stable within " + STABLE_TIMEOUT);
  }

  /** One consumer on its own thread; publishes its assignment after every poll. */
  private static final class Member implements Runnable {
    final String name;
    final Thread thread;
    final Map<String, Object> config = new HashMap<>();
    final String topic;
    volatile Set<TopicPartition> assignment = Set.of();
    volatile boolean stopping;
    volatile Throwable failure;

    Member(String bootstrap, String topic, String protocol, String name) {
      this.name = name;
      this.topic = topic;
      this.thread = new Thread(this, "consumer-" + name);
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      config.put(ConsumerConfig.GROUP_ID_CONFIG, "rebalance-" + protocol);
      config.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
      config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
      config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
      if (protocol.equals("classic")) {
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_MS);
      }
    }

    Member start() {
      thread.start();
      return this;
    }

    @Override
    public void run() {
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
        consumer.subscribe(List.of(topic));
        while (!stopping) {
          consumer.poll(Duration.ofMillis(10));
          assignment = Set.copyOf(consumer.assignment());
        }
        assignment = Set.of();
      } catch (Throwable t) {
        failure = t;
      }
    }

    void stop() throws InterruptedException {
      stopping = true;
      thread.join(TimeUnit.SECONDS.toMillis(60));
    }
  }

  private static void produce(String bootstrap, String topic, AtomicBoolean producing) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      long next = System.nanoTime();
      long n = 0;
      while (producing.get()) {
        producer.send(new ProducerRecord<>(topic, null, new byte[100]));
        n++;
        next += 1_000_000_000L / PRODUCE_RATE;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      say("produced " + n + " records to " + topic);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Admin admin(String bootstrap) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            120_000));
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2);
  }

  private static String report(
      List<Sample> samples, int members, int rounds, List<Double> loads, List<String> failures) {
    StringBuilder md = new StringBuilder();
    md.append("# Rebalance time: a group of ").append(members).append(" consumers\n\n");
    md.append("Generated by `bench/rebalance` (")
        .append(RebalanceBench.class.getName())
        .append(") on ")
        .append(Instant.now())
        .append(". One broker each (Kafka 4.4.0 KRaft combined mode, Ferry), heap 1g, run one")
        .append(" after the other, alternating per round. A topic of ")
        .append(3 * members)
        .append(" partitions, ")
        .append(members)
        .append(" consumers (each on its own thread, polling every 10 ms), a producer at ")
        .append(PRODUCE_RATE)
        .append(" records/s of 100 bytes throughout. Time from the change (the new consumer's")
        .append(" subscribe; the leaving consumer's close) until every partition has exactly one")
        .append(" owner and the counts differ by at most one. Heartbeat interval ")
        .append(HEARTBEAT_MS)
        .append(" ms for both protocols on both brokers (`heartbeat.interval.ms` for classic")
        .append(" clients, `group.consumer.heartbeat.interval.ms` for the consumer protocol);")
        .append(" classic clients use their default `range` assignor (eager), the consumer")
        .append(" protocol the broker's `uniform` assignor. Medians over ")
        .append(rounds)
        .append(" rounds; 1-min load average at each run start: ")
        .append(loads.stream().map(l -> String.format("%.1f", l)).toList())
        .append(" (a shared 2-core machine).\n\n");
    md.append(
        "| protocol | event | Kafka ms | Ferry ms | Ferry / Kafka | rounds (Kafka; Ferry) |\n");
    md.append("|---|---|---:|---:|---:|---|\n");
    for (String protocol : List.of("classic", "consumer")) {
      for (String event : List.of("join", "leave")) {
        List<Long> kafka = values(samples, "kafka", protocol, event);
        List<Long> ferry = values(samples, "ferry", protocol, event);
        long k = median(kafka);
        long f = median(ferry);
        md.append(
            String.format(
                "| %s | %s | %d | %d | %s | %s; %s |%n",
                protocol,
                event,
                k,
                f,
                k > 0 && f >= 0 ? String.format("%.2f", f / (double) k) : "n/a",
                kafka,
                ferry));
      }
    }
    if (!failures.isEmpty()) {
      md.append("\nFailed runs:\n\n");
      for (String f : failures) {
        md.append("- ").append(f).append('\n');
      }
    }
    return md.toString();
  }

  private static List<Long> values(
      List<Sample> samples, String broker, String protocol, String event) {
    List<Long> out = new ArrayList<>();
    for (Sample s : samples) {
      if (s.broker().equalsIgnoreCase(broker)
          && s.protocol().equals(protocol)
          && s.event().equals(event)) {
        out.add(s.millis());
      }
    }
    return out;
  }

  private static void say(String s) {
    System.err.println("[rebalance] " + s);
  }
}
