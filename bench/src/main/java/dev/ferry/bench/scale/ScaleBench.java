package dev.ferry.bench.scale;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ferry.bench.Machine;
import dev.ferry.bench.Progress;
import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.ClusterLauncher;
import dev.ferry.bench.broker.FerryClusterLauncher;
import dev.ferry.bench.broker.FerryLauncher;
import dev.ferry.bench.broker.KafkaClusterLauncher;
import dev.ferry.bench.broker.KafkaLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scale benchmark (issue 16), Kafka 4.4 KRaft and Ferry side by side: one broker at 1, 100, 1,000
 * and 10,000 partitions, then three brokers with 10,000 partitions × RF 3 (30,000 replicas). See
 * bench/README.md, "Scale". Results accumulate in {@code bench/results/scale.json} (a run replaces
 * the points of the sizes and systems it ran), from which {@code bench/results/scale.md} and its
 * charts are written, with {@code bench/results/scale-notes.md} (findings, by hand) after the
 * charts.
 *
 * <pre>
 *   bench/scale                                   both layouts, one round
 *   bench/scale --partitions 1,100 --rounds 3     a quick look
 *   bench/scale --skip-single                     the cluster only
 *   bench/scale --report-only                     rewrite scale.md and the charts from scale.json
 * </pre>
 */
public final class ScaleBench {

  /** NaN marks a figure not measured; it is read back whether written quoted or bare. */
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  public static void main(String[] args) throws Exception {
    Path kafkaLib = Path.of("bench/work/kafka-lib");
    Path ferryHome = Path.of(".");
    Path results = Path.of("bench/results");
    List<Integer> partitions = List.of(1, 100, 1_000, 10_000);
    int clusterPartitions = 10_000;
    int rounds = 1;
    boolean single = true;
    boolean cluster = true;
    boolean kafka = true;
    boolean ferry = true;
    boolean reportOnly = false;
    int produceSeconds = 10;
    int metadataRequests = 50;
    int createTimeoutSeconds = 900;
    Map<String, String> ferryConfig = new HashMap<>();
    Map<String, String> kafkaConfig = new HashMap<>();
    List<String> jvmFlags = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kafka-lib" -> kafkaLib = Path.of(args[++i]);
        case "--ferry-home" -> ferryHome = Path.of(args[++i]);
        case "--results" -> results = Path.of(args[++i]);
        case "--partitions" ->
            partitions = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        case "--cluster-partitions" -> clusterPartitions = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--produce-seconds" -> produceSeconds = Integer.parseInt(args[++i]);
        case "--metadata-requests" -> metadataRequests = Integer.parseInt(args[++i]);
        case "--create-timeout-seconds" -> createTimeoutSeconds = Integer.parseInt(args[++i]);
        case "--skip-single" -> single = false;
        case "--skip-cluster" -> cluster = false;
        case "--skip-kafka" -> kafka = false;
        case "--skip-ferry" -> ferry = false;
        case "--report-only" -> reportOnly = true;
        case "--ferry-config" -> put(ferryConfig, args[++i]);
        case "--kafka-config" -> put(kafkaConfig, args[++i]);
        case "--jvm-flag" -> jvmFlags.add(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    Path json = results.resolve("scale.json");
    List<ScalePoint> points = load(json);
    if (!reportOnly) {
      Progress progress = new Progress(System.err);
      ScaleSteps steps =
          new ScaleSteps(
              progress,
              Duration.ofSeconds(createTimeoutSeconds),
              metadataRequests,
              Duration.ofSeconds(produceSeconds));
      Path runs = Path.of("bench/work/runs/scale-" + Instant.now().getEpochSecond());
      List<String> systems = new ArrayList<>();
      if (kafka) {
        systems.add(ScaleReport.KAFKA);
      }
      if (ferry) {
        systems.add(ScaleReport.FERRY);
      }
      if (single) {
        // A run replaces the points it measures again, so sizes can be run (and re-run) apart.
        List<Integer> sizes = partitions;
        points.removeIf(
            p ->
                p.layout.equals("single")
                    && sizes.contains(p.partitions)
                    && systems.contains(p.system));
        SingleBrokerScale scale = new SingleBrokerScale(steps, progress);
        for (int round = 1; round <= rounds; round++) {
          for (int n : partitions) {
            // Alternate which system goes first, so drift of the shared machine hits both.
            for (String system : ordered(systems, round + partitions.indexOf(n))) {
              BrokerLauncher launcher =
                  system.equals(ScaleReport.KAFKA)
                      ? new KafkaLauncher(kafkaLib)
                      : new FerryLauncher(ferryHome);
              Path runDir = runs.resolve(system + "-" + n + "-r" + round);
              Files.createDirectories(runDir);
              BrokerSettings settings =
                  settings(system.equals(ScaleReport.KAFKA) ? kafkaConfig : ferryConfig, jvmFlags);
              points.add(scale.run(launcher, runDir, settings, n, round));
              Machine.deleteRecursively(runDir.resolve("data"));
              save(json, points);
            }
          }
        }
      }
      if (cluster) {
        points.removeIf(p -> p.layout.equals("cluster") && systems.contains(p.system));
        ClusterScale scale = new ClusterScale(steps, progress);
        for (int round = 1; round <= rounds; round++) {
          for (String system : ordered(systems, round)) {
            ClusterLauncher launcher =
                system.equals(ScaleReport.KAFKA)
                    ? new KafkaClusterLauncher(kafkaLib)
                    : new FerryClusterLauncher(ferryHome);
            Path runDir = runs.resolve(system + "-cluster-r" + round);
            Files.createDirectories(runDir);
            BrokerSettings settings =
                settings(system.equals(ScaleReport.KAFKA) ? kafkaConfig : ferryConfig, jvmFlags);
            points.add(scale.run(launcher, runDir, settings, clusterPartitions, round));
            Machine.deleteRecursively(runDir.resolve("data"));
            save(json, points);
          }
        }
      }
      progress.close();
    }
    points.sort(
        Comparator.comparing((ScalePoint p) -> p.layout)
            .reversed()
            .thenComparingInt(p -> p.partitions)
            .thenComparingInt(p -> p.round)
            .thenComparing(p -> p.system));
    List<String> charts = ScaleReport.charts(results, points);
    // Findings written by hand (what the figures mean, what was fixed) survive regeneration.
    Path notes = results.resolve("scale-notes.md");
    String md =
        header(charts)
            + (Files.exists(notes) ? Files.readString(notes) + "\n" : "")
            + ScaleReport.tables(points);
    Files.writeString(results.resolve("scale.md"), md);
    System.out.println(md);
  }

  /** The suite's broker settings: 1 GiB heap, Kafka's start-script G1 flags, 1 GiB segments. */
  private static BrokerSettings settings(Map<String, String> extra, List<String> extraFlags) {
    List<String> flags = new ArrayList<>(BrokerSettings.KAFKA_GC_FLAGS);
    flags.addAll(extraFlags);
    return new BrokerSettings("1g", flags, 1L << 30, Long.MAX_VALUE, 1, Map.copyOf(extra));
  }

  private static List<String> ordered(List<String> systems, int turn) {
    List<String> copy = new ArrayList<>(systems);
    if (turn % 2 == 0) {
      Collections.reverse(copy);
    }
    return copy;
  }

  private static void put(Map<String, String> config, String keyValue) {
    int eq = keyValue.indexOf('=');
    config.put(keyValue.substring(0, eq), keyValue.substring(eq + 1));
  }

  private static List<ScalePoint> load(Path json) throws IOException {
    if (!Files.exists(json)) {
      return new ArrayList<>();
    }
    return new ArrayList<>(JSON.readValue(json.toFile(), new TypeReference<List<ScalePoint>>() {}));
  }

  private static void save(Path json, List<ScalePoint> points) throws IOException {
    Files.createDirectories(json.getParent());
    JSON.writeValue(json.toFile(), points);
  }

  private static String header(List<String> charts) {
    StringBuilder md = new StringBuilder();
    md.append("# Scale: partitions per broker, Kafka 4.4 KRaft vs Ferry\n\n");
    md.append("Generated by `bench/scale` (")
        .append(ScaleBench.class.getName())
        .append(") on ")
        .append(Instant.now())
        .append(". ")
        .append(Machine.describe())
        .append(
            " A shared machine: each run's load average is in the last table. Both systems get"
                + " the suite's JVM settings (-Xms1g -Xmx1g, G1 with Kafka's start-script flags),"
                + " `log.segment.bytes` 1 GiB, loopback listeners on free ports, a fresh data"
                + " directory. One broker: Kafka as one combined KRaft node (broker + controller in"
                + " one JVM), Ferry with its embedded ZooKeeper (in the broker's JVM). Three"
                + " brokers: Kafka node 1 broker+controller (single-voter quorum), nodes 2-3"
                + " broker-only; Ferry brokers 1-3 and one standalone ZooKeeper JVM (256 MB heap),"
                + " whose CPU and RSS count in Ferry's figures.\n\n")
        .append(
            "Each run: start, wait for a first acknowledged produce (auto-created 1-partition"
                + " topic), then one topic `scale` of N partitions (RF 1; RF 3 in the cluster)"
                + " created with an Admin client (CreateTopics of at most 5,000 partitions, then"
                + " CreatePartitions in steps of 5,000: Kafka 4.4 refuses one operation of more"
                + " than 10,000 metadata records) and timed until every partition answers"
                + " ListOffsets (and, RF 3, has a full ISR in Metadata): Kafka answers CreateTopics"
                + " before its broker hosts the partitions, Ferry after; the answer time is in the"
                + " last table. Metadata: raw v12 requests for the topic on one connection, one at"
                + " a time, 5 untimed then 50 timed, write to last byte read. Produce: the client's"
                + " defaults (acks=all, idempotent, linger 5 ms, 16 KiB batches, 32 MiB buffer),"
                + " 1 KB text records, record i to partition i mod N, at most max(5,000, N)"
                + " unacknowledged, for 10 s. RSS: VmRSS. Clean restart (one broker): SIGTERM,"
                + " wait for exit, relaunch the same command on the same data, timed from the fork"
                + " until every partition answers ListOffsets. Failover (cluster): SIGKILL of"
                + " broker 3 (Kafka: broker-only node; Ferry: a broker that is not the controller),"
                + " then Metadata to broker 1 every 20 ms until no partition names it as leader."
                + " CPU: utime+stime from /proc of every process of the system.\n\n");
    for (String chart : charts) {
      md.append("![").append(chart).append("](").append(chart).append(")\n");
    }
    md.append('\n');
    return md.toString();
  }
}
