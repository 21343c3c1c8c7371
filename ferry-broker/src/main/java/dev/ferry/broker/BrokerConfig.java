package dev.ferry.broker;

import dev.ferry.coordinator.group.ConsumerGroupConfig;
import dev.ferry.coordinator.group.ConsumerGroupMigrationPolicy;
import dev.ferry.coordinator.transaction.TransactionCoordinatorConfig;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.LogManager;
import dev.ferry.storage.cleaner.LogCleaner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * The broker's settings, read from Kafka-named properties ({@code listeners}, {@code log.dirs},
 * {@code num.partitions}, ...). Unset keys take Kafka's defaults except where a comment says why
 * Ferry differs. Values are validated once, here, so the rest of the broker reads typed fields.
 */
public final class BrokerConfig {

  private final Map<String, String> values;

  /**
   * Every config name this class reads, with its default (Kafka's, or Ferry's where it differs).
   */
  private final Map<String, String> defaults = new TreeMap<>();

  public final int brokerId;

  /** Every listener of {@code listeners}, in order, with its security protocol. */
  public final List<Listener> listeners;

  /** The endpoint clients are told for each listener ({@code advertised.listeners}). */
  public final List<Listener> advertisedListeners;

  /** The first listener (what single-listener callers and tests connect to). */
  public final Listener listener;

  public final Listener advertisedListener;

  /** The listener brokers use to reach each other ({@code inter.broker.listener.name}). */
  public final String interBrokerListenerName;

  /** {@code sasl.mechanism.inter.broker.protocol}; only read when that listener uses SASL. */
  public final String saslMechanismInterBrokerProtocol;

  public final String rack;
  public final List<Path> logDirs;
  public final Optional<String> zookeeperConnect;
  public final int zookeeperSessionTimeoutMs;

  /**
   * How long start-up waits to connect to ZooKeeper and load the cluster metadata; as in Kafka it
   * defaults to the session timeout. Longer than the session lets a broker start on a machine too
   * busy to load the metadata within one session (the session is then renewed meanwhile).
   */
  public final int zookeeperConnectionTimeoutMs;

  /** Port of the embedded ZooKeeper when zookeeper.connect is unset; 0 picks a free port. */
  public final int embeddedZookeeperPort;

  /**
   * Whether the embedded ZooKeeper fsyncs its transaction log. Off by default: like the log under
   * Kafka's default flush policy, single-node metadata then survives a process crash (the page
   * cache does) but not a power loss; start-up is about a second faster on a busy disk.
   */
  public final boolean embeddedZookeeperFsync;

  public final int numPartitions;
  public final short defaultReplicationFactor;
  public final boolean autoCreateTopicsEnable;
  public final int minInsyncReplicas;

  public final int numNetworkThreads;
  public final int socketRequestMaxBytes;
  public final int socketSendBufferBytes;
  public final int socketReceiveBufferBytes;
  public final long connectionsMaxIdleMs;
  public final int maxConnections;

  public final long logRetentionCheckIntervalMs;

  /** {@code num.recovery.threads.per.data.dir}: logs loaded and closed at once per log dir. */
  public final int numRecoveryThreadsPerDataDir;

  /** The log cleaner (compaction): {@code log.cleaner.enable}, {@code .backoff.ms}, ... */
  public final LogCleaner.Config logCleaner;

  // Replication and the controller (Kafka names).
  public final long replicaLagTimeMaxMs;
  public final int replicaFetchWaitMaxMs;
  public final int replicaFetchMaxBytes;
  public final int replicaFetchResponseMaxBytes;
  public final int replicaSocketTimeoutMs;
  public final long replicaFetchBackoffMs;
  public final boolean uncleanLeaderElectionEnable;
  public final boolean autoLeaderRebalanceEnable;
  public final long leaderImbalanceCheckIntervalMs;
  public final boolean controlledShutdownEnable;

  /** Ferry's bound on how long a clean stop waits for leadership to move away. */
  public final long controlledShutdownTimeoutMs;

  public final long offsetsCommitTimeoutMs;

  /** How many incremental fetch sessions (KIP-227) the broker keeps at most. */
  public final int maxIncrementalFetchSessionCacheSlots;

  /** The most partitions one DescribeTopicPartitions answer holds (KIP-966). */
  public final int maxRequestPartitionSizeLimit;

  /** The largest client telemetry push (KIP-714) accepted, in bytes as sent. */
  public final int telemetryMaxBytes;

  /** Port of the Prometheus {@code /metrics} endpoint; 0 (the default) serves no metrics. */
  public final int metricsPort;

  /** Address the metrics endpoint binds; defaults to the listener's host. */
  public final String metricsHost;

  /** Log defaults for topics without overrides, derived from the broker's log.* settings. */
  public final LogConfig logDefaults;

  /** The transaction coordinator's settings ({@code transaction.state.log.*} and friends). */
  public final TransactionCoordinatorConfig transactions;

  public final int offsetsTopicNumPartitions;
  public final short offsetsTopicReplicationFactor;
  public final int offsetsTopicSegmentBytes;
  public final long offsetsRetentionMs;
  public final long offsetsRetentionCheckIntervalMs;
  public final int groupMinSessionTimeoutMs;
  public final int groupMaxSessionTimeoutMs;
  public final int groupInitialRebalanceDelayMs;
  public final int groupMaxSize;

  /** group.consumer.*: consumer-protocol (KIP-848) groups. */
  public final ConsumerGroupConfig consumerGroups;

  public final int offsetMetadataMaxBytes;

  public BrokerConfig(Map<String, String> props) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(props));
    brokerId = intValue("broker.id", 0);
    Map<String, String> protocolMap =
        Listener.protocolMap(values.get("listener.security.protocol.map"));
    listeners =
        Listener.parseAll(
            "listeners", string("listeners", "PLAINTEXT://127.0.0.1:9092"), protocolMap);
    String advertised = values.get("advertised.listeners");
    List<Listener> advertisedGiven =
        advertised == null || advertised.isBlank()
            ? listeners
            : Listener.parseAll("advertised.listeners", advertised, protocolMap);
    List<Listener> advertisedAll = new ArrayList<>();
    for (Listener l : listeners) {
      advertisedAll.add(
          advertisedGiven.stream().filter(a -> a.name().equals(l.name())).findFirst().orElse(l));
    }
    for (Listener a : advertisedGiven) {
      if (listeners.stream().noneMatch(l -> l.name().equals(a.name()))) {
        throw new ConfigException(
            "advertised.listeners", advertised, "listener " + a.name() + " is not in listeners");
      }
    }
    advertisedListeners = List.copyOf(advertisedAll);
    listener = listeners.get(0);
    advertisedListener = advertisedListeners.get(0);
    interBrokerListenerName = interBrokerListener();
    saslMechanismInterBrokerProtocol = string("sasl.mechanism.inter.broker.protocol", "GSSAPI");
    rack = values.get("broker.rack");
    logDirs = parseLogDirs();
    zookeeperConnect =
        Optional.ofNullable(values.get("zookeeper.connect")).filter(s -> !s.isBlank());
    // The ZooKeeper session is how Ferry's controller learns that a broker died: the role of
    // broker.session.timeout.ms in Kafka 4.4 (KRaft), whose value (default 9 s) it takes unless the
    // ZooKeeper-era name is set, so failover after a crash takes as long as Kafka's.
    int brokerSessionTimeoutMs = intValue("broker.session.timeout.ms", 9_000);
    zookeeperSessionTimeoutMs = intValue("zookeeper.session.timeout.ms", brokerSessionTimeoutMs);
    zookeeperConnectionTimeoutMs =
        intValue("zookeeper.connection.timeout.ms", zookeeperSessionTimeoutMs);
    embeddedZookeeperPort = intValue("ferry.embedded.zookeeper.port", 0);
    embeddedZookeeperFsync = bool("ferry.embedded.zookeeper.fsync", false);

    numPartitions = intValue("num.partitions", 1);
    defaultReplicationFactor = (short) intValue("default.replication.factor", 1);
    autoCreateTopicsEnable = bool("auto.create.topics.enable", true);
    minInsyncReplicas = intValue("min.insync.replicas", 1);

    // Kafka's default is 3 network threads; on the small machines Ferry targets, one per core.
    numNetworkThreads =
        intValue("num.network.threads", Math.max(1, Runtime.getRuntime().availableProcessors()));
    socketRequestMaxBytes = intValue("socket.request.max.bytes", 100 * 1024 * 1024);
    socketSendBufferBytes = intValue("socket.send.buffer.bytes", 102_400);
    socketReceiveBufferBytes = intValue("socket.receive.buffer.bytes", 102_400);
    connectionsMaxIdleMs = longValue("connections.max.idle.ms", 600_000L);
    maxConnections = intValue("max.connections", Integer.MAX_VALUE);

    logRetentionCheckIntervalMs = longValue("log.retention.check.interval.ms", 300_000L);
    numRecoveryThreadsPerDataDir =
        intValue(
            "num.recovery.threads.per.data.dir", LogManager.DEFAULT_RECOVERY_THREADS_PER_DATA_DIR);
    if (numRecoveryThreadsPerDataDir < 1) {
      throw new ConfigException(
          "num.recovery.threads.per.data.dir", numRecoveryThreadsPerDataDir, "must be at least 1");
    }
    LogCleaner.Config cleanerDefaults = LogCleaner.Config.defaults();
    logCleaner =
        new LogCleaner.Config(
            bool("log.cleaner.enable", cleanerDefaults.enabled()),
            longValue("log.cleaner.backoff.ms", cleanerDefaults.backoffMs()),
            longValue("log.cleaner.dedupe.buffer.size", cleanerDefaults.dedupeBufferBytes()),
            intValue("log.cleaner.io.buffer.size", cleanerDefaults.ioBufferBytes()));

    replicaLagTimeMaxMs = longValue("replica.lag.time.max.ms", 30_000L);
    replicaFetchWaitMaxMs = intValue("replica.fetch.wait.max.ms", 500);
    replicaFetchMaxBytes = intValue("replica.fetch.max.bytes", 1024 * 1024);
    replicaFetchResponseMaxBytes = intValue("replica.fetch.response.max.bytes", 10 * 1024 * 1024);
    replicaSocketTimeoutMs = intValue("replica.socket.timeout.ms", 30_000);
    replicaFetchBackoffMs = longValue("replica.fetch.backoff.ms", 1_000L);
    uncleanLeaderElectionEnable = bool("unclean.leader.election.enable", false);
    autoLeaderRebalanceEnable = bool("auto.leader.rebalance.enable", true);
    leaderImbalanceCheckIntervalMs =
        longValue("leader.imbalance.check.interval.seconds", 300L) * 1_000L;
    controlledShutdownEnable = bool("controlled.shutdown.enable", true);
    controlledShutdownTimeoutMs = longValue("controlled.shutdown.timeout.ms", 10_000L);
    offsetsCommitTimeoutMs = longValue("offsets.commit.timeout.ms", 5_000L);
    maxIncrementalFetchSessionCacheSlots =
        intValue("max.incremental.fetch.session.cache.slots", 1000);
    maxRequestPartitionSizeLimit = intValue("max.request.partition.size.limit", 2000);
    if (maxRequestPartitionSizeLimit < 1) {
      throw new ConfigException(
          "max.request.partition.size.limit", maxRequestPartitionSizeLimit, "must be at least 1");
    }
    telemetryMaxBytes = intValue("telemetry.max.bytes", 1024 * 1024);
    if (telemetryMaxBytes < 1) {
      throw new ConfigException("telemetry.max.bytes", telemetryMaxBytes, "must be at least 1");
    }
    metricsPort = intValue("metrics.port", 0);
    metricsHost = string("metrics.host", listener.host());
    logDefaults = LogConfig.fromMap(logDefaultValues());

    offsetsTopicNumPartitions = intValue("offsets.topic.num.partitions", 50);
    offsetsTopicReplicationFactor = (short) intValue("offsets.topic.replication.factor", 3);
    offsetsTopicSegmentBytes = intValue("offsets.topic.segment.bytes", 100 * 1024 * 1024);
    offsetsRetentionMs = longValue("offsets.retention.minutes", 10_080L) * 60_000L;
    offsetsRetentionCheckIntervalMs = longValue("offsets.retention.check.interval.ms", 600_000L);
    groupMinSessionTimeoutMs = intValue("group.min.session.timeout.ms", 6_000);
    groupMaxSessionTimeoutMs = intValue("group.max.session.timeout.ms", 1_800_000);
    groupInitialRebalanceDelayMs = intValue("group.initial.rebalance.delay.ms", 3_000);
    groupMaxSize = intValue("group.max.size", Integer.MAX_VALUE);
    ConsumerGroupConfig cg = ConsumerGroupConfig.defaults();
    consumerGroups =
        new ConsumerGroupConfig(
            intValue(ConsumerGroupConfig.SESSION_TIMEOUT_MS, cg.sessionTimeoutMs()),
            intValue(ConsumerGroupConfig.HEARTBEAT_INTERVAL_MS, cg.heartbeatIntervalMs()),
            intValue(ConsumerGroupConfig.MIN_SESSION_TIMEOUT_MS, cg.minSessionTimeoutMs()),
            intValue(ConsumerGroupConfig.MAX_SESSION_TIMEOUT_MS, cg.maxSessionTimeoutMs()),
            intValue(ConsumerGroupConfig.MIN_HEARTBEAT_INTERVAL_MS, cg.minHeartbeatIntervalMs()),
            intValue(ConsumerGroupConfig.MAX_HEARTBEAT_INTERVAL_MS, cg.maxHeartbeatIntervalMs()),
            intValue(ConsumerGroupConfig.MAX_SIZE, cg.maxSize()),
            java.util.Arrays.stream(
                    string(ConsumerGroupConfig.ASSIGNORS, String.join(",", cg.assignors()))
                        .split(","))
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .toList(),
            ConsumerGroupMigrationPolicy.parse(
                string(ConsumerGroupMigrationPolicy.CONFIG, cg.migrationPolicy().toString())));
    offsetMetadataMaxBytes = intValue("offset.metadata.max.bytes", 4096);
    // Replication throttles of partition reassignment; usually set dynamically by the tools.
    longValue("leader.replication.throttled.rate", Long.MAX_VALUE);
    longValue("follower.replication.throttled.rate", Long.MAX_VALUE);
    TransactionCoordinatorConfig txn = TransactionCoordinatorConfig.defaults();
    transactions =
        new TransactionCoordinatorConfig(
            intValue(TransactionCoordinatorConfig.NUM_PARTITIONS, txn.numPartitions()),
            (short)
                intValue(TransactionCoordinatorConfig.REPLICATION_FACTOR, txn.replicationFactor()),
            intValue(TransactionCoordinatorConfig.MIN_ISR, txn.minInsyncReplicas()),
            intValue(TransactionCoordinatorConfig.SEGMENT_BYTES, txn.segmentBytes()),
            intValue(TransactionCoordinatorConfig.LOAD_BUFFER_SIZE, txn.loadBufferSize()),
            intValue(TransactionCoordinatorConfig.MAX_TIMEOUT_MS, txn.maxTimeoutMs()),
            longValue(TransactionCoordinatorConfig.ID_EXPIRATION_MS, txn.idExpirationMs()),
            longValue(
                TransactionCoordinatorConfig.ABORT_TIMED_OUT_INTERVAL_MS,
                txn.abortTimedOutIntervalMs()),
            longValue(
                TransactionCoordinatorConfig.REMOVE_EXPIRED_INTERVAL_MS,
                txn.removeExpiredIntervalMs()),
            offsetsCommitTimeoutMs);

    if (numPartitions < 1) {
      throw new ConfigException("num.partitions", numPartitions, "must be at least 1");
    }
    if (replicaFetchWaitMaxMs >= replicaSocketTimeoutMs) {
      throw new ConfigException(
          "replica.fetch.wait.max.ms",
          replicaFetchWaitMaxMs,
          "must be below replica.socket.timeout.ms");
    }
    if (minInsyncReplicas < 1) {
      throw new ConfigException("min.insync.replicas", minInsyncReplicas, "must be at least 1");
    }
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new ConfigException("metrics.port", metricsPort, "must be 0 (off) or a port number");
    }
    if (socketRequestMaxBytes < 1024) {
      throw new ConfigException("socket.request.max.bytes", socketRequestMaxBytes, "too small");
    }
  }

  /**
   * {@code inter.broker.listener.name}, else the listener named after {@code
   * security.inter.broker.protocol} (default PLAINTEXT), as Kafka; with neither set and no
   * PLAINTEXT listener, Ferry takes the first listener instead of refusing to start.
   */
  private String interBrokerListener() {
    String name = values.get("inter.broker.listener.name");
    String protocol = values.get("security.inter.broker.protocol");
    if (name != null && protocol != null) {
      throw new ConfigException(
          "Only one of inter.broker.listener.name and security.inter.broker.protocol can be set");
    }
    String wanted = name != null ? name.trim() : protocol != null ? protocol.trim() : "PLAINTEXT";
    for (Listener l : listeners) {
      if (l.name().equals(wanted)) {
        return wanted;
      }
    }
    if (name == null && protocol == null) {
      return listener.name();
    }
    throw new ConfigException(
        name != null ? "inter.broker.listener.name" : "security.inter.broker.protocol",
        wanted,
        "must name a listener in listeners");
  }

  /** The listener called {@code name}. */
  public Optional<Listener> listener(String name) {
    return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /** The advertised endpoint of the listener called {@code name}. */
  public Optional<Listener> advertisedListener(String name) {
    return advertisedListeners.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /** Every setting as given (not including defaults), for DescribeConfigs on the broker. */
  public Map<String, String> originals() {
    return values;
  }

  /**
   * Every config name the broker reads, with its default: what DescribeConfigs lists for a broker
   * (with the value in force and where it comes from).
   */
  public Map<String, String> knownDefaults() {
    return Collections.unmodifiableMap(defaults);
  }

  /** The raw value of {@code key}, if it was set. */
  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  private Map<String, String> logDefaultValues() {
    Map<String, String> m = new HashMap<>(LogConfig.defaultValues());
    m.put(LogConfig.SEGMENT_BYTES, string("log.segment.bytes", m.get(LogConfig.SEGMENT_BYTES)));
    m.put(LogConfig.SEGMENT_MS, String.valueOf(hoursOrMs("log.roll", 168)));
    m.put(LogConfig.RETENTION_MS, String.valueOf(retentionMs()));
    m.put(LogConfig.RETENTION_BYTES, string("log.retention.bytes", "-1"));
    m.put(
        LogConfig.FLUSH_MESSAGES,
        string("log.flush.interval.messages", m.get(LogConfig.FLUSH_MESSAGES)));
    m.put(LogConfig.FLUSH_MS, string("log.flush.interval.ms", m.get(LogConfig.FLUSH_MS)));
    m.put(
        LogConfig.MAX_MESSAGE_BYTES,
        string("message.max.bytes", m.get(LogConfig.MAX_MESSAGE_BYTES)));
    m.put(
        LogConfig.SEGMENT_INDEX_BYTES,
        string("log.index.size.max.bytes", m.get(LogConfig.SEGMENT_INDEX_BYTES)));
    m.put(
        LogConfig.INDEX_INTERVAL_BYTES,
        string("log.index.interval.bytes", m.get(LogConfig.INDEX_INTERVAL_BYTES)));
    m.put(
        LogConfig.MESSAGE_TIMESTAMP_TYPE,
        string("log.message.timestamp.type", m.get(LogConfig.MESSAGE_TIMESTAMP_TYPE)));
    m.put(LogConfig.CLEANUP_POLICY, string("log.cleanup.policy", m.get(LogConfig.CLEANUP_POLICY)));
    m.put(
        LogConfig.FILE_DELETE_DELAY_MS,
        string("log.segment.delete.delay.ms", m.get(LogConfig.FILE_DELETE_DELAY_MS)));
    m.put(
        LogConfig.MIN_CLEANABLE_DIRTY_RATIO,
        string("log.cleaner.min.cleanable.ratio", m.get(LogConfig.MIN_CLEANABLE_DIRTY_RATIO)));
    m.put(
        LogConfig.MIN_COMPACTION_LAG_MS,
        string("log.cleaner.min.compaction.lag.ms", m.get(LogConfig.MIN_COMPACTION_LAG_MS)));
    m.put(
        LogConfig.MAX_COMPACTION_LAG_MS,
        string("log.cleaner.max.compaction.lag.ms", m.get(LogConfig.MAX_COMPACTION_LAG_MS)));
    m.put(
        LogConfig.DELETE_RETENTION_MS,
        string("log.cleaner.delete.retention.ms", m.get(LogConfig.DELETE_RETENTION_MS)));
    try {
      LogConfig.fromMap(m);
    } catch (NumberFormatException e) {
      throw new ConfigException("Invalid log setting: " + e.getMessage());
    }
    return m;
  }

  /** log.retention.ms, else .minutes, else .hours (Kafka's precedence). */
  private long retentionMs() {
    if (values.containsKey("log.retention.ms")) {
      return longValue("log.retention.ms", 0);
    }
    if (values.containsKey("log.retention.minutes")) {
      return longValue("log.retention.minutes", 0) * 60_000L;
    }
    return longValue("log.retention.hours", 168) * 3_600_000L;
  }

  /** prefix.ms, else prefix.hours. */
  private long hoursOrMs(String prefix, long defaultHours) {
    if (values.containsKey(prefix + ".ms")) {
      return longValue(prefix + ".ms", 0);
    }
    return longValue(prefix + ".hours", defaultHours) * 3_600_000L;
  }

  private List<Path> parseLogDirs() {
    String dirs = values.getOrDefault("log.dirs", values.getOrDefault("log.dir", "./data"));
    List<Path> out = new ArrayList<>();
    for (String d : dirs.split(",")) {
      if (!d.isBlank()) {
        out.add(Path.of(d.trim()).toAbsolutePath().normalize());
      }
    }
    if (out.isEmpty()) {
      throw new ConfigException("log.dirs", dirs, "no directory given");
    }
    return List.copyOf(out);
  }

  private String string(String key, String def) {
    if (def != null) {
      defaults.putIfAbsent(key, def);
    }
    String v = values.get(key);
    return v == null ? def : v.trim();
  }

  private int intValue(String key, int def) {
    defaults.putIfAbsent(key, String.valueOf(def));
    String v = values.get(key);
    try {
      return v == null ? def : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, v, "not an integer");
    }
  }

  private long longValue(String key, long def) {
    defaults.putIfAbsent(key, String.valueOf(def));
    String v = values.get(key);
    try {
      return v == null ? def : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, v, "not a long");
    }
  }

  private boolean bool(String key, boolean def) {
    defaults.putIfAbsent(key, String.valueOf(def));
    String v = values.get(key);
    if (v == null) {
      return def;
    }
    if (!v.trim().equalsIgnoreCase("true") && !v.trim().equalsIgnoreCase("false")) {
      throw new ConfigException(key, v, "not a boolean");
    }
    return Boolean.parseBoolean(v.trim());
  }

  /**
   * One {@code NAME://host:port} entry of {@code listeners}: its name and, through {@code
   * listener.security.protocol.map}, its security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT,
   * SASL_SSL).
   */
  public record Listener(String name, String securityProtocol, String host, int port) {

    private static final List<String> PROTOCOLS =
        List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    /** {@code listener.security.protocol.map}, Kafka's default mapping each protocol to itself. */
    static Map<String, String> protocolMap(String spec) {
      Map<String, String> map = new HashMap<>();
      if (spec == null || spec.isBlank()) {
        for (String p : PROTOCOLS) {
          map.put(p, p);
        }
        return map;
      }
      for (String entry : spec.split(",")) {
        String[] kv = entry.trim().split(":");
        if (kv.length != 2
            || !PROTOCOLS.contains(kv[1].trim().toUpperCase(java.util.Locale.ROOT))) {
          throw new ConfigException(
              "listener.security.protocol.map", spec, "expected NAME:PROTOCOL entries");
        }
        map.put(kv[0].trim(), kv[1].trim().toUpperCase(java.util.Locale.ROOT));
      }
      return map;
    }

    static List<Listener> parseAll(String key, String spec, Map<String, String> protocolMap) {
      List<Listener> out = new ArrayList<>();
      for (String entry : spec.split(",")) {
        if (entry.isBlank()) {
          continue;
        }
        Listener l = parse(key, entry.trim(), protocolMap);
        for (Listener other : out) {
          if (other.name.equals(l.name)) {
            throw new ConfigException(key, spec, "listener " + l.name + " appears twice");
          }
          if (other.port == l.port && l.port != 0 && key.equals("listeners")) {
            throw new ConfigException(key, spec, "port " + l.port + " is used twice");
          }
        }
        out.add(l);
      }
      if (out.isEmpty()) {
        throw new ConfigException(key, spec, "no listener given");
      }
      return List.copyOf(out);
    }

    static Listener parse(String key, String entry, Map<String, String> protocolMap) {
      int sep = entry.indexOf("://");
      if (sep < 0) {
        throw new ConfigException(key, entry, "expected NAME://host:port");
      }
      String name = entry.substring(0, sep).trim();
      String protocol = protocolMap.get(name);
      if (protocol == null) {
        throw new ConfigException(
            key,
            entry,
            "listener " + name + " has no security protocol in listener.security.protocol.map");
      }
      String hostPort = entry.substring(sep + 3);
      int colon = hostPort.lastIndexOf(':');
      if (colon < 0) {
        throw new ConfigException(key, entry, "missing port");
      }
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        return new Listener(name, protocol, host, Integer.parseInt(hostPort.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new ConfigException(key, entry, "bad port");
      }
    }

    public Listener withPort(int newPort) {
      return new Listener(name, securityProtocol, host, newPort);
    }
  }
}
