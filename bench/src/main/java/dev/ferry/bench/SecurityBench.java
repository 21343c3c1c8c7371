package dev.ferry.bench;

import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.CompilerThreads;
import dev.ferry.bench.broker.FerryLauncher;
import dev.ferry.bench.broker.KafkaLauncher;
import dev.ferry.bench.broker.ProcStat;
import dev.ferry.bench.workload.ClientConfigs;
import dev.ferry.bench.workload.ConsumerRun;
import dev.ferry.bench.workload.Payloads;
import dev.ferry.bench.workload.ProducerRun;
import dev.ferry.bench.workload.StartupProbe;
import dev.ferry.bench.workload.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * Security, Kafka and Ferry side by side (issue 13): the same producer and consumer over PLAINTEXT,
 * SSL (TLS, server certificate only) and SASL_SSL (SCRAM-SHA-512) listeners of one broker, so each
 * broker's cost of TLS is measured against its own PLAINTEXT in the same run. The producer is
 * workload 3's (1 KB log-like text, acks=all, idempotent, lz4, 6 partitions); the consumer then
 * reads the topic back from offset 0, checking offsets and sizes. Broker CPU per message from
 * {@code /proc/PID/stat} around each. Brokers alternate (A B A B), each with an untimed warm-up
 * over every listener. Writes {@code bench/results/security.md}.
 *
 * <pre>
 *   bench/security                           3 rounds, up to 8 s per workload
 *   bench/security --rounds 1 --seconds 5    a quick look
 *   bench/security --skip-kafka --jvm-flag -XX:StartFlightRecording=...   profile Ferry
 *   bench/security --ferry-jdk-tls           also Ferry with the JDK's TLS engine ("ferry-jdk")
 *   bench/security --passes 2                 each round measures every protocol twice in the
 *                                             same broker process (rows r0..r(2*rounds-1))
 *   bench/security --ferry-variant base=/tmp/base   also another build of Ferry (a directory with
 *                                             ferry-tools/target and config/), for an A/B run
 *   bench/security --protocols SSL            only these listeners (comma-separated), e.g. to profile
 *   bench/security --reads 5                  each consume figure reads the workload back 5 times
 *                                             (default 3)
 * </pre>
 */
public final class SecurityBench {

  private static final Duration STARTUP = Duration.ofSeconds(180);
  private static final List<String> ALL_PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_SSL");

  /** The listeners measured (and warmed up): all three unless --protocols names fewer. */
  private static List<String> protocols = ALL_PROTOCOLS;

  private static final int PARTITIONS = 6;
  private static final int RECORD_BYTES = 1024;
  private static final int WINDOW = 10_000;
  private static final String PASSWORD = "bench-secret";
  private static final String USER = "bench";

  /** The warm-up ends once the JIT compiler threads take at most this share of the CPU. */
  private static final double JIT_SETTLED = 0.10;

  /** One broker's figures for one protocol in one round. */
  record Result(
      String broker,
      int round,
      String protocol,
      double produceRate,
      double produceCpuMicros,
      double recordsPerRequest,
      double consumeRate,
      double consumeCpuMicros,
      double load) {}

  public static void main(String[] args) throws Exception {
    Path kafkaLib = Path.of("bench/work/kafka-lib");
    Path ferryHome = Path.of(".");
    int rounds = 3;
    int passes = 1;
    int seconds = 8;
    int warmupSeconds = 5;
    int warmupMaxSeconds = 90;
    long messages = 400_000;
    int reads = 3;
    Path out = Path.of("bench/results/security.md");
    boolean kafka = true;
    boolean ferry = true;
    boolean ferryJdkTls = false;
    Map<String, Path> variants = new LinkedHashMap<>();
    List<String> jvmFlags = new ArrayList<>(List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--skip-kafka" -> kafka = false;
        case "--skip-ferry" -> ferry = false;
        case "--ferry-jdk-tls" -> ferryJdkTls = true;
        case "--ferry-variant" -> {
          String[] nameAndPath = args[++i].split("=", 2);
          variants.put(nameAndPath[0], Path.of(nameAndPath[1]));
        }
        case "--jvm-flag" -> jvmFlags.add(args[++i]);
        case "--kafka-lib" -> kafkaLib = Path.of(args[++i]);
        case "--ferry-home" -> ferryHome = Path.of(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--passes" -> passes = Integer.parseInt(args[++i]);
        case "--reads" -> reads = Integer.parseInt(args[++i]);
        case "--protocols" -> protocols = List.of(args[++i].split(","));
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[++i]);
        case "--warmup-max-seconds" -> warmupMaxSeconds = Integer.parseInt(args[++i]);
        case "--messages" -> messages = Long.parseLong(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    Path runs = Path.of("bench/work/runs/security-" + Instant.now().getEpochSecond());
    Files.createDirectories(runs);
    Tls tls = Tls.create(runs.resolve("tls"));
    BrokerSettings settings =
        new BrokerSettings(
            "1g",
            List.copyOf(jvmFlags),
            1L << 30,
            Long.MAX_VALUE,
            1,
            brokerSecurity(tls),
            List.of("SSL", "SASL_SSL"));
    List<BrokerLauncher> launchers = new ArrayList<>();
    if (kafka) {
      launchers.add(new KafkaLauncher(kafkaLib));
    }
    if (ferry) {
      launchers.add(new FerryLauncher(ferryHome));
    }
    if (ferryJdkTls) {
      launchers.add(new FerryWithJdkTls(new FerryLauncher(ferryHome)));
    }
    variants.forEach((name, home) -> launchers.add(new FerryLauncher(home, name, List.of())));
    List<Result> results = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    try (Progress progress = new Progress(System.err)) {
      for (int r = 0; r < rounds; r++) {
        for (BrokerLauncher launcher : launchers) {
          Path dir = runs.resolve(launcher.name() + "-r" + r);
          try {
            results.addAll(
                run(
                    launcher,
                    dir,
                    settings,
                    tls,
                    r,
                    passes,
                    seconds,
                    warmupSeconds,
                    warmupMaxSeconds,
                    messages,
                    reads,
                    progress));
          } catch (Exception e) {
            say(launcher.name() + " round " + r + ": FAILED " + e);
            failures.add(launcher.name() + " round " + r + ": " + e);
          } finally {
            // Each round writes gigabytes (warm-up passes over every listener); keep only the
            // broker's log and thread figures, or a few runs fill the disk.
            Machine.deleteRecursively(dir.resolve("data"));
          }
        }
      }
    }
    String report = SecurityReport.markdown(results, seconds, messages, reads, failures);
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  /**
   * The same security settings for both brokers, by Kafka's names: one server certificate for SSL
   * and SASL_SSL (no client certificates), SCRAM-SHA-512 on SASL_SSL with credentials from the
   * broker's store.
   */
  static Map<String, String> brokerSecurity(Tls tls) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("ssl.keystore.location", tls.keystore().toAbsolutePath().toString());
    c.put("ssl.keystore.type", "PKCS12");
    c.put("ssl.keystore.password", Tls.PASSWORD);
    c.put("ssl.key.password", Tls.PASSWORD);
    c.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    c.put(
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    c.put("offsets.topic.replication.factor", "1");
    c.put("group.initial.rebalance.delay.ms", "0");
    return c;
  }

  /** Client settings for one protocol on top of {@code base}. */
  static Properties secured(Properties base, String protocol, Tls tls) {
    Properties p = new Properties();
    p.putAll(base);
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    if (protocol.endsWith("SSL")) {
      p.put(
          SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, tls.truststore().toAbsolutePath().toString());
      p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
      p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, Tls.PASSWORD);
    }
    if (protocol.startsWith("SASL")) {
      p.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
      p.put(
          SaslConfigs.SASL_JAAS_CONFIG,
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + USER
              + "\" password=\""
              + PASSWORD
              + "\";");
    }
    return p;
  }

  private static List<Result> run(
      BrokerLauncher launcher,
      Path runDir,
      BrokerSettings settings,
      Tls tls,
      int round,
      int passes,
      int seconds,
      int warmupSeconds,
      int warmupMaxSeconds,
      long messages,
      int reads,
      Progress progress)
      throws Exception {
    Files.createDirectories(runDir);
    say(launcher.name() + " round " + round + ": starting");
    List<Result> results = new ArrayList<>();
    try (BrokerProcess broker = launcher.launch(runDir, settings)) {
      StartupProbe.awaitFirstProduce(broker, STARTUP);
      createScramUser(broker.bootstrapServers());
      Payloads payloads = Payloads.text(RECORD_BYTES, 42);
      Map<String, String> bootstrap = new HashMap<>();
      for (String protocol : protocols) {
        bootstrap.put(
            protocol,
            protocol.equals("PLAINTEXT")
                ? broker.bootstrapServers()
                : broker.bootstrapServers(protocol));
        Topics.create(broker.bootstrapServers(), topic(protocol, true), PARTITIONS);
        for (int pass = 0; pass < passes; pass++) {
          Topics.create(broker.bootstrapServers(), topic(protocol, pass), PARTITIONS);
        }
      }
      // Untimed: both JVMs compile their produce, fetch, TLS and SASL paths first, pass after pass
      // until the JIT compiler threads take at most a tenth of the broker's CPU (or the cap):
      // otherwise the first workload measured pays for compiling what the others then use.
      long warmStart = System.nanoTime();
      for (int warmPass = 0; ; warmPass++) {
        double cpuBefore = broker.cpuSeconds();
        CompilerThreads.Snapshot jitBefore = CompilerThreads.snapshot(List.of(broker));
        warmUp(broker, bootstrap, tls, payloads, warmupSeconds, messages, progress, launcher);
        double cpu = broker.cpuSeconds() - cpuBefore;
        double jit = CompilerThreads.snapshot(List.of(broker)).secondsSince(jitBefore);
        double elapsed = (System.nanoTime() - warmStart) / 1e9;
        say(
            String.format(
                Locale.ROOT,
                "%s round %d: warm-up pass %d, JIT compiler threads %.0f%% of the broker's CPU",
                launcher.name(),
                round,
                warmPass,
                cpu > 0 ? 100 * jit / cpu : 0));
        if (jit <= JIT_SETTLED * cpu) {
          break;
        }
        if (elapsed >= warmupMaxSeconds) {
          say(launcher.name() + " round " + round + ": warm-up cap reached, JIT still busy");
          break;
        }
      }
      // Each round (and each pass within one) starts with another protocol (PLAINTEXT, SSL,
      // SASL_SSL first): whatever runs first meets the least compiled code, which would otherwise
      // always bias the same one. Passes measure each protocol again in the same broker process.
      for (int step = 0; step < passes * protocols.size(); step++) {
        int pass = step / protocols.size();
        int index = round * passes + pass;
        String protocol = protocols.get((step + index) % protocols.size());
        double load = Machine.loadAverage();
        String topic = topic(protocol, pass);
        String label = launcher.name() + " r" + index + " " + protocol;
        double cpu0 = broker.cpuSeconds();
        Map<String, Double> threads0 = ProcStat.cpuSecondsByThread(broker.pid());
        long ms0 = System.currentTimeMillis();
        long ns0 = System.nanoTime();
        ProducerRun.Result produced =
            ProducerRun.run(
                secured(ClientConfigs.modern(bootstrap.get(protocol)), protocol, tls),
                topic,
                messages,
                payloads,
                WINDOW,
                Duration.ofSeconds(seconds),
                progress,
                label + " produce");
        double cpu1 = broker.cpuSeconds();
        Map<String, Double> threads1 = ProcStat.cpuSecondsByThread(broker.pid());
        long ms1 = System.currentTimeMillis();
        long ns1 = System.nanoTime();
        if (produced.failed() > 0) {
          throw new IllegalStateException(
              label + ": " + produced.failed() + " sends failed, first: " + produced.firstError());
        }
        // Reading costs a broker a few hundred milliseconds of CPU per pass over the workload, read
        // at 10 ms clock ticks: several passes (no more data on disk) steady the figure.
        long consumedMessages = 0;
        double consumeSeconds = 0;
        for (int read = 0; read < reads; read++) {
          ConsumerRun.Result consumed =
              ConsumerRun.run(
                  secured(ClientConfigs.consumer(bootstrap.get(protocol)), protocol, tls),
                  topic,
                  PARTITIONS,
                  produced.acked(),
                  RECORD_BYTES,
                  Duration.ofSeconds(seconds * 4L),
                  progress,
                  label + " consume " + (read + 1) + "/" + reads);
          if (consumed.messages() != produced.acked() || consumed.anomalies() > 0) {
            throw new IllegalStateException(
                label
                    + ": read "
                    + consumed.messages()
                    + " of "
                    + produced.acked()
                    + (consumed.firstAnomaly() == null ? "" : "; " + consumed.firstAnomaly()));
          }
          consumedMessages += consumed.messages();
          consumeSeconds += consumed.seconds();
        }
        double cpu2 = broker.cpuSeconds();
        Map<String, Double> threads2 = ProcStat.cpuSecondsByThread(broker.pid());
        long ms2 = System.currentTimeMillis();
        long ns2 = System.nanoTime();
        Path threadsFile = runDir.getParent().resolve("threads.tsv");
        ThreadCpu.append(
            threadsFile,
            label + " produce",
            new long[] {ms0, ms1, ns0, ns1},
            threads0,
            threads1,
            produced.acked());
        ThreadCpu.append(
            threadsFile,
            label + " consume",
            new long[] {ms1, ms2, ns1, ns2},
            threads1,
            threads2,
            consumedMessages);
        Result result =
            new Result(
                launcher.name(),
                index,
                protocol,
                produced.messagesPerSecond(),
                (cpu1 - cpu0) * 1e6 / produced.acked(),
                produced.recordsPerRequest(),
                consumedMessages / consumeSeconds,
                (cpu2 - cpu1) * 1e6 / consumedMessages,
                load);
        say(result.toString());
        results.add(result);
      }
      broker.checkAlive();
    }
    return results;
  }

  /** One warm-up pass: produce over each listener, then read it back twice. */
  private static void warmUp(
      BrokerProcess broker,
      Map<String, String> bootstrap,
      Tls tls,
      Payloads payloads,
      int warmupSeconds,
      long messages,
      Progress progress,
      BrokerLauncher launcher)
      throws Exception {
    for (String protocol : protocols) {
      String topic = topic(protocol, true);
      ProducerRun.Result warm =
          ProducerRun.run(
              secured(ClientConfigs.modern(bootstrap.get(protocol)), protocol, tls),
              topic,
              messages,
              payloads,
              WINDOW,
              Duration.ofSeconds(warmupSeconds),
              progress,
              launcher.name() + " warm-up " + protocol);
      // Read twice: the fetch path (and TLS encryption of it) runs far less often than produce.
      for (int pass = 0; pass < 2; pass++) {
        ConsumerRun.run(
            secured(ClientConfigs.consumer(bootstrap.get(protocol)), protocol, tls),
            topic,
            PARTITIONS,
            warm.acked(),
            RECORD_BYTES,
            Duration.ofSeconds(warmupSeconds * 2L),
            progress,
            launcher.name() + " warm-up read " + protocol);
      }
    }
  }

  /**
   * Ferry with the JDK's TLS engine ({@code ssl.engine.factory.class} naming Kafka's default), to
   * compare the engines in the same run: reported as "ferry-jdk".
   */
  private record FerryWithJdkTls(FerryLauncher ferry) implements BrokerLauncher {
    @Override
    public String name() {
      return "ferry-jdk";
    }

    @Override
    public String displayName() {
      return ferry.displayName() + ", JDK TLS engine";
    }

    @Override
    public List<String> ownJvmOptions() {
      return ferry.ownJvmOptions();
    }

    @Override
    public BrokerProcess launch(Path runDir, BrokerSettings s) throws IOException {
      Map<String, String> extra = new LinkedHashMap<>(s.extraConfig());
      extra.put(
          "ssl.engine.factory.class",
          "org.apache.kafka.common.security.ssl.DefaultSslEngineFactory");
      return ferry.launch(
          runDir,
          new BrokerSettings(
              s.heap(),
              s.jvmFlags(),
              s.segmentBytes(),
              s.flushIntervalMessages(),
              s.numPartitions(),
              extra,
              s.extraListeners()));
    }
  }

  private static String topic(String protocol, boolean warmup) {
    return "security-" + protocol.toLowerCase(Locale.ROOT).replace('_', '-') + (warmup ? "-w" : "");
  }

  /** The measured topic of one pass (the first keeps the name it always had). */
  private static String topic(String protocol, int pass) {
    return topic(protocol, false) + (pass == 0 ? "" : "-" + pass);
  }

  /** The SCRAM-SHA-512 user of the SASL_SSL clients, made over PLAINTEXT as an operator would. */
  private static void createScramUser(String plaintext) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plaintext);
    try (Admin admin = Admin.create(p)) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      USER, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), PASSWORD)))
          .all()
          .get(30, TimeUnit.SECONDS);
      // Kafka applies it through its metadata log: wait until the broker describes it.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!admin
          .describeUserScramCredentials()
          .all()
          .get(30, TimeUnit.SECONDS)
          .containsKey(USER)) {
        if (System.nanoTime() > deadline) {
          throw new IOException("SCRAM user " + USER + " never appeared");
        }
        Thread.sleep(50);
      }
    }
  }

  private static void say(String message) {
    System.err.println("[bench/security] " + message);
  }
}
