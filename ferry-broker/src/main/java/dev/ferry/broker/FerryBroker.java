package dev.ferry.broker;

import dev.ferry.controller.AdminThreadBrokerConfigs;
import dev.ferry.controller.AdminThreadGroupConfigs;
import dev.ferry.controller.AdminThreadTopicAdmin;
import dev.ferry.controller.ClientQuotaAdmin;
import dev.ferry.controller.ClusterController;
import dev.ferry.controller.ManualLeaderElection;
import dev.ferry.controller.PartitionReassigner;
import dev.ferry.controller.TopicAdmin;
import dev.ferry.controller.TopicController;
import dev.ferry.coordinator.group.TopicVisibility;
import dev.ferry.coordinator.share.ShareGroupCoordinator;
import dev.ferry.coordinator.share.SharePartitionManager;
import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.EntityConfigStore;
import dev.ferry.metadata.MetadataStore;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.zk.EmbeddedZooKeeper;
import dev.ferry.metadata.zk.ZkMetadataStore;
import dev.ferry.metrics.BrokerMetrics;
import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import dev.ferry.network.SocketServer;
import dev.ferry.quota.ClientQuotas;
import dev.ferry.quota.QuotaDispatcher;
import dev.ferry.quota.ReplicationThrottles;
import dev.ferry.replication.InterBrokerChannel;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.replication.ReplicationConfig;
import dev.ferry.runtime.BrokerThreads;
import dev.ferry.runtime.ProcessHalt;
import dev.ferry.security.BrokerSecurity;
import dev.ferry.security.PasswordVerifier;
import dev.ferry.security.authorizer.AclApis;
import dev.ferry.security.authorizer.Authorizer;
import dev.ferry.security.authorizer.RequestAuthorizer;
import dev.ferry.security.sasl.SaslApiHandlers;
import dev.ferry.security.scram.ScramApis;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.ApiVersionsHandler;
import dev.ferry.server.KafkaApis;
import dev.ferry.server.KnownPartitions;
import dev.ferry.server.admin.AlterClientQuotasHandler;
import dev.ferry.server.admin.AlterConfigsHandler;
import dev.ferry.server.admin.CreatePartitionsHandler;
import dev.ferry.server.admin.CreateTopicsHandler;
import dev.ferry.server.admin.DeleteRecordsHandler;
import dev.ferry.server.admin.DeleteTopicsHandler;
import dev.ferry.server.admin.DescribeClientQuotasHandler;
import dev.ferry.server.admin.DescribeConfigsHandler;
import dev.ferry.server.admin.IncrementalAlterConfigsHandler;
import dev.ferry.server.admin.ListConfigResourcesHandler;
import dev.ferry.server.admin.TopicConfigDescriber;
import dev.ferry.server.cluster.ClusterView;
import dev.ferry.server.cluster.DescribeClusterHandler;
import dev.ferry.server.cluster.DescribeLogDirsHandler;
import dev.ferry.server.cluster.DescribeTopicPartitionsHandler;
import dev.ferry.server.cluster.MetadataHandler;
import dev.ferry.server.fetch.FetchHandler;
import dev.ferry.server.fetch.FetchSessionCache;
import dev.ferry.server.fetch.ListOffsetsHandler;
import dev.ferry.server.fetch.OffsetForLeaderEpochHandler;
import dev.ferry.server.placement.AlterPartitionReassignmentsHandler;
import dev.ferry.server.placement.ElectLeadersHandler;
import dev.ferry.server.placement.ListPartitionReassignmentsHandler;
import dev.ferry.server.produce.ProduceValidation;
import dev.ferry.server.telemetry.GetTelemetrySubscriptionsHandler;
import dev.ferry.server.telemetry.PushTelemetryHandler;
import dev.ferry.storage.LogManager;
import dev.ferry.telemetry.ClientMetricsAdmin;
import dev.ferry.telemetry.ClientMetricsManager;
import dev.ferry.telemetry.ClientSoftware;
import dev.ferry.telemetry.PrometheusTelemetryReceiver;
import java.io.Closeable;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Ferry broker: wires metadata, storage, replication, protocol handlers and the network server,
 * starts them in dependency order and stops them in reverse.
 */
public final class FerryBroker implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(FerryBroker.class);
  private static final int ADMIN_QUEUE_CAPACITY = 1024;

  private final BrokerConfig config;
  private final Supplier<? extends MetadataStore> metadataSource;

  /** Everything started so far, closed last-first; a failed start closes what it opened. */
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  private EmbeddedZooKeeper embeddedZk;
  private volatile ShareGroupStartup shareGroups;
  private MetadataStore metadata;
  private LogManager logManager;
  private ReplicaManager replicaManager;
  private TopicAdmin topics;
  private ClusterController controller;
  private DynamicBrokerConfigs dynamicConfigs;
  private ReplicationThrottles throttles;
  private ClientQuotas clientQuotas;
  private FetchSessionCache fetchSessions;
  private ClientMetricsManager clientMetrics;
  private final PrometheusTelemetryReceiver telemetry = new PrometheusTelemetryReceiver();
  private SocketServer socketServer;
  private final Map<String, SocketServer> socketServers = new LinkedHashMap<>();
  private Map<String, ServerSocketChannel> boundListeners = Map.of();
  private BrokerSecurity security;
  private InterBrokerChannel interBrokerChannel;
  private boolean registered;
  private BrokerMetrics metrics = BrokerMetrics.disabled();
  private int boundPort = -1;
  private final ProduceValidation produceValidation = new ProduceValidation();
  private final List<BrokerExtension.Running> extensions = new ArrayList<>();
  private volatile ProcessHalt halt = status -> stopAfterLogDirFailure();

  public FerryBroker(BrokerConfig config) {
    this(config, null);
  }

  /**
   * A broker whose metadata comes from {@code metadataStore} instead of ZooKeeper, e.g. a session
   * of an in-memory cluster shared by brokers in one JVM. Called once per start; the broker closes
   * the store it got. Without ZooKeeper there are no SCRAM credentials or ACLs (they live in
   * ZooKeeper): such a broker refuses {@code authorizer.class.name}.
   *
   * @param metadataStore null for ZooKeeper ({@code zookeeper.connect} or the embedded server)
   */
  public FerryBroker(BrokerConfig config, Supplier<? extends MetadataStore> metadataStore) {
    this.config = config;
    this.metadataSource = metadataStore;
  }

  /**
   * How the broker ends once every log dir has failed. The broker process ({@link BrokerMain})
   * halts, as Kafka does ({@link ProcessHalt#RUNTIME}); by default a broker embedded in another
   * application's JVM (or a test's) only stops itself, on a thread of its own, rather than end that
   * JVM. Set before {@link #start}.
   */
  public FerryBroker onAllLogDirsFailed(ProcessHalt halt) {
    this.halt = halt;
    return this;
  }

  private void stopAfterLogDirFailure() {
    Thread stopper = new Thread(this::close, "ferry-stop-after-log-dir-failure");
    stopper.setDaemon(true);
    stopper.start();
  }

  /** Starts the broker; on failure everything already started is stopped again. */
  public synchronized FerryBroker start() {
    long t0 = System.nanoTime();
    try {
      startAll();
    } catch (RuntimeException | Error e) {
      log.error("Broker {} failed to start: {}", config.brokerId, e.toString());
      close();
      throw e;
    }
    log.info(
        "Ferry broker {} started in {} ms, listening on {}:{}",
        config.brokerId,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
        config.listener.host(),
        boundPort);
    return this;
  }

  private void startAll() {
    // Listening first: a client connecting while the broker starts waits to be served instead of
    // being refused and backing off.
    boundListeners = ListenerServers.bind(config, started);
    if (metadataSource != null) {
      metadata = metadataSource.get();
      started.push(metadata);
      security = BrokerSecurity.withoutZooKeeper(config.originals());
      started.push(security);
    } else {
      connectZooKeeper();
    }
    startBroker();
  }

  /**
   * Starts the embedded ZooKeeper unless one is configured, then connects the metadata store and,
   * at the same time on a second thread, the security stores' own session (each waits for its
   * session and initial reads; overlapped, the start-up pays for the longer one only).
   */
  private void connectZooKeeper() {
    ProtocolWarmup.startInBackground();
    String zkConnect = config.zookeeperConnect.orElse(null);
    if (zkConnect == null) {
      Path zkDir = config.logDirs.get(0).resolve(".zookeeper");
      if (!config.embeddedZookeeperFsync && System.getProperty("zookeeper.forceSync") == null) {
        // Read by ZooKeeper's transaction log when the embedded server creates it.
        System.setProperty("zookeeper.forceSync", "no");
      }
      embeddedZk = EmbeddedZooKeeper.start(zkDir, config.embeddedZookeeperPort);
      started.push(embeddedZk);
      zkConnect = embeddedZk.connectString();
      log.info("Embedded ZooKeeper at {} (data in {})", zkConnect, zkDir);
    }
    String connect = zkConnect;
    CompletableFuture<BrokerSecurity> securityStart = new CompletableFuture<>();
    Thread securityThread =
        new Thread(
            () -> {
              try {
                securityStart.complete(
                    BrokerSecurity.start(
                        config.originals(),
                        listenerProtocols(),
                        connect,
                        config.zookeeperSessionTimeoutMs,
                        config.zookeeperConnectionTimeoutMs));
              } catch (RuntimeException | Error e) {
                securityStart.completeExceptionally(e);
              }
            },
            "ferry-security-start");
    securityThread.setDaemon(true);
    securityThread.start();
    RuntimeException failure = null;
    try {
      metadata =
          ZkMetadataStore.connect(
              connect, config.zookeeperSessionTimeoutMs, config.zookeeperConnectionTimeoutMs);
      started.push(metadata);
    } catch (RuntimeException e) {
      failure = e;
    }
    // Always wait for the security start (bounded by its connection timeout), so that a failed
    // start closes what it opened.
    try {
      security = securityStart.join();
      started.push(security);
    } catch (CompletionException e) {
      if (failure == null) {
        failure = e.getCause() instanceof RuntimeException r ? r : new KafkaException(e.getCause());
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private Map<String, String> listenerProtocols() {
    Map<String, String> protocols = new LinkedHashMap<>();
    for (BrokerConfig.Listener listener : config.listeners) {
      protocols.put(listener.name(), listener.securityProtocol());
    }
    return protocols;
  }

  private void startBroker() {
    BrokerConfig.Listener interBroker =
        config.listener(config.interBrokerListenerName).orElseThrow();

    logManager =
        new LogManager(
            config.logDirs,
            config.logDefaults,
            config.logRetentionCheckIntervalMs,
            config.logCleaner,
            config.numRecoveryThreadsPerDataDir,
            Time.SYSTEM);
    // Partitions open with their topic's overrides (segment size, retention...) from the start.
    logManager.startup(
        tp ->
            metadata
                .topic(tp.topic())
                .map(t -> config.logDefaults.with(t.configs()))
                .orElse(config.logDefaults));
    started.push(logManager);

    // Replica fetchers and the transaction coordinator reach other brokers through this.
    interBrokerChannel =
        security.interBrokerChannel(
            interBroker.name(),
            interBroker.securityProtocol(),
            config.saslMechanismInterBrokerProtocol);

    // One thread for the broker's timers: long-poll fetch and acks=all timeouts, the ISR check.
    ScheduledExecutorService scheduler = BrokerThreads.newScheduler("ferry-scheduler");
    started.push(() -> BrokerThreads.shutdown(scheduler, "ferry-scheduler", 5_000));
    // Replication throttles (partition reassignment) follow dynamic broker configs.
    ReplicationThrottles throttles =
        new ReplicationThrottles(config.brokerId, metadata, Time.SYSTEM);
    dynamicConfigs =
        new DynamicBrokerConfigs(config.brokerId, config.originals())
            .onChange(
                ReplicationThrottles.LEADER_RATE, v -> throttles.leaderQuota().setBound(rate(v)))
            .onChange(
                ReplicationThrottles.FOLLOWER_RATE,
                v -> throttles.followerQuota().setBound(rate(v)));
    dynamicConfigs.start(metadata);
    clientQuotas = new ClientQuotas(Time.SYSTEM);
    fetchSessions = new FetchSessionCache(config.maxIncrementalFetchSessionCacheSlots, Time.SYSTEM);
    clientQuotas.configs().start(metadata);
    this.throttles = throttles;
    replicaManager =
        new ReplicaManager(
            logManager,
            metadata,
            new ReplicationConfig(
                config.brokerId,
                config.replicaLagTimeMaxMs,
                config.replicaFetchWaitMaxMs,
                config.replicaFetchResponseMaxBytes,
                config.replicaFetchMaxBytes,
                config.replicaSocketTimeoutMs,
                config.replicaFetchBackoffMs),
            Time.SYSTEM,
            scheduler,
            interBrokerChannel,
            throttles.follower());
    started.push(replicaManager);
    // A failed dir of several: the controller moves leadership of its partitions elsewhere.
    LogDirFailureHandler dirFailures =
        new LogDirFailureHandler(
            config.brokerId,
            logManager,
            replicaManager,
            halt,
            partitions -> metadata.reportOfflineReplicas(config.brokerId, partitions));
    dirFailures.start();
    started.push(() -> dirFailures.shutdown(5_000));

    PartitionHost partitionHost =
        new PartitionHost(
            config.brokerId,
            metadata,
            replicaManager,
            config.logDefaults,
            config.minInsyncReplicas,
            logManager.openFiles());
    metadata.addListener(partitionHost);
    partitionHost.syncAll();
    replicaManager.startup();

    ExecutorService admin = adminExecutor();
    started.push(() -> BrokerThreads.shutdown(admin, "ferry-admin", 10_000));

    // Handlers reach metadata writes only through this asynchronous front on the admin thread.
    topics =
        new AdminThreadTopicAdmin(
            new TopicController(metadata, partitionHost, partitionHost::checkCanHost), admin);
    ClusterView cluster = new ClusterView(metadata, config.brokerId);
    TopicConfigDescriber topicConfigs =
        new TopicConfigDescriber(config.logDefaults, config.minInsyncReplicas);
    KnownPartitions knownPartitions = knownPartitions(metadata);
    FetchHandler fetch =
        new FetchHandler(metadata, replicaManager, scheduler, throttles.leader(), fetchSessions);
    // Client metrics (KIP-714): subscriptions are watched from the store on every broker; pushes
    // go to the Prometheus receiver. Instances expire on the scheduler.
    clientMetrics = new ClientMetricsManager(telemetry, config.telemetryMaxBytes, Time.SYSTEM);
    metadata.watchEntityConfigs(
        EntityConfigStore.CLIENT_METRICS, clientMetrics::updateSubscriptions);
    scheduler.scheduleWithFixedDelay(clientMetrics::expireInstances, 10, 10, TimeUnit.SECONDS);
    ClientMetricsAdmin clientMetricsAdmin = new ClientMetricsAdmin(metadata, admin);
    ClientSoftware clientSoftware = new ClientSoftware();
    KafkaApis apis = new KafkaApis();
    apis.register(new ApiVersionsHandler(apis::supportedApis, clientSoftware))
        .register(
            new MetadataHandler(
                cluster,
                topics,
                config.autoCreateTopicsEnable,
                config.numPartitions,
                config.defaultReplicationFactor))
        .register(new DescribeClusterHandler(cluster))
        .register(
            new DescribeTopicPartitionsHandler(
                cluster,
                config.maxRequestPartitionSizeLimit,
                RequestAuthorizer.operationCheck(security.authorizer())))
        .register(fetch)
        .register(new ListOffsetsHandler(replicaManager, knownPartitions))
        .register(new OffsetForLeaderEpochHandler(replicaManager))
        .register(
            new CreateTopicsHandler(
                topics, topicConfigs, config.numPartitions, config.defaultReplicationFactor))
        .register(new DeleteTopicsHandler(topics, metadata))
        .register(new CreatePartitionsHandler(topics))
        .register(
            new DescribeConfigsHandler(
                metadata,
                topicConfigs,
                config.brokerId,
                new BrokerConfigDescriber(config, dynamicConfigs),
                metadata,
                admin,
                clientMetricsAdmin))
        .register(
            new IncrementalAlterConfigsHandler(
                topics,
                new AdminThreadGroupConfigs(metadata, admin),
                new AdminThreadBrokerConfigs(metadata, admin),
                clientMetricsAdmin))
        .register(new ListConfigResourcesHandler(metadata, metadata, clientMetricsAdmin))
        .register(new GetTelemetrySubscriptionsHandler(clientMetrics, clientSoftware))
        .register(new PushTelemetryHandler(clientMetrics, clientSoftware))
        .register(new AlterConfigsHandler(topics))
        .register(new DeleteRecordsHandler(replicaManager, knownPartitions, admin))
        .register(
            new AlterPartitionReassignmentsHandler(
                new PartitionReassigner(metadata, config.uncleanLeaderElectionEnable), admin))
        .register(new ListPartitionReassignmentsHandler(metadata))
        .register(new DescribeClientQuotasHandler(new ClientQuotaAdmin(metadata, admin)))
        .register(new AlterClientQuotasHandler(new ClientQuotaAdmin(metadata, admin)))
        .register(new DescribeLogDirsHandler(logManager, admin))
        .register(new ElectLeadersHandler(metadata, new ManualLeaderElection(metadata), admin));
    for (ApiHandler<?> handler : SaslApiHandlers.handlers()) {
      apis.register(handler);
    }
    for (ApiHandler<?> handler : AclApis.handlers(security.authorizer(), security.acls(), admin)) {
      apis.register(handler);
    }
    for (ApiHandler<?> handler :
        ScramApis.handlers(security.authorizer(), security::scram, admin)) {
      apis.register(handler);
    }
    CoordinatorStartup coordinators =
        new CoordinatorStartup(
            config,
            metadata,
            replicaManager,
            interBrokerChannel,
            produceValidation,
            topicVisibility(security.authorizer()),
            started);
    coordinators.start(apis, cluster, topics, admin, scheduler);
    shareGroups = coordinators.shareGroups();

    metrics =
        BrokerMetrics.start(
            config.metricsHost,
            config.metricsPort,
            extensionsAvailable().stream().anyMatch(e -> e.wantsMetrics(config)),
            apis.supportedApis(),
            replicaManager,
            logManager);
    started.push(metrics);
    metrics.registerQuotas(clientQuotas, throttles);
    metrics.registerFetchSessions(fetchSessions);
    metrics.registerConsumerBytes(fetch);
    if (metrics.registry() != null) {
      telemetry.register(metrics.registry());
    }

    RequestDispatcher authorized =
        new RequestAuthorizer(
            new QuotaDispatcher(apis, clientQuotas),
            security.authorizer(),
            id -> metadata.topic(id).map(TopicMetadata::name),
            name -> metadata.topic(name).isPresent());
    RequestDispatcher dispatcher =
        new ListenerEndpoints(authorized, metadata, config.interBrokerListenerName);
    Map<String, BrokerInfo.Endpoint> endpoints =
        ListenerServers.start(
            config, dispatcher, metrics, security, started, socketServers, boundListeners);
    socketServer = socketServers.get(config.listener.name());
    boundPort = socketServer.boundPort();
    BrokerInfo.Endpoint interBrokerEndpoint = endpoints.get(config.interBrokerListenerName);

    // After a crash our previous ZooKeeper session may still hold the registration until it
    // expires: wait it out rather than fail.
    metadata.registerBroker(
        new BrokerInfo(
            config.brokerId,
            interBrokerEndpoint.host(),
            interBrokerEndpoint.port(),
            config.rack,
            endpoints),
        metadata.sessionTimeoutMs() + 2_000L);
    registered = true;

    // Candidate for controller only once registered: a controller must count itself as live.
    controller =
        new ClusterController(
            config.brokerId,
            metadata,
            new ClusterController.Config(
                config.uncleanLeaderElectionEnable,
                config.autoLeaderRebalanceEnable,
                config.leaderImbalanceCheckIntervalMs));
    metadata.addListener(controller);
    started.push(controller);
    controller.start();

    startExtensions();
  }

  private static String loopbackIfWildcard(String host) {
    return host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")
        ? "127.0.0.1"
        : host;
  }

  /** The extensions on the class path (started or not, as their settings say). */
  private List<BrokerExtension> extensionsAvailable() {
    List<BrokerExtension> found = new ArrayList<>();
    ServiceLoader.load(BrokerExtension.class).forEach(found::add);
    return found;
  }

  /** Services on the class path that run in the broker (schema registry...), if configured. */
  private void startExtensions() {
    String host = loopbackIfWildcard(config.listener.host());
    Map<String, String> listenerAddresses = new LinkedHashMap<>();
    for (BrokerConfig.Listener l : config.listeners) {
      listenerAddresses.put(l.name(), loopbackIfWildcard(l.host()) + ":" + port(l.name()));
    }
    BrokerExtension.Passwords passwords =
        config.listeners.stream()
            .filter(l -> l.securityProtocol().startsWith("SASL_"))
            .findFirst()
            .map(l -> PasswordVerifier.forListener(security, l.name()))
            .<BrokerExtension.Passwords>map(v -> v::verify)
            .orElse(null);
    BrokerExtension.Context context =
        new BrokerExtension.Context(
            config,
            host + ":" + boundPort,
            produceValidation,
            passwords,
            Map.copyOf(listenerAddresses),
            metrics.registry());
    for (BrokerExtension extension : extensionsAvailable()) {
      BrokerExtension.Running running = extension.start(context);
      if (running != null) {
        extensions.add(running);
        started.push(running);
      }
    }
  }

  /** A throttle rate config's value in bytes per second; null (unset) is unthrottled. */
  private static long rate(String value) {
    return value == null ? Long.MAX_VALUE : Long.parseLong(value.trim());
  }

  /** The client quotas this broker enforces (for tests). */
  public ClientQuotas clientQuotas() {
    return clientQuotas;
  }

  /** Client telemetry as this broker received it (KIP-714; for tests). */
  public PrometheusTelemetryReceiver clientTelemetry() {
    return telemetry;
  }

  /** Client-metrics subscriptions and instances (KIP-714; for tests). */
  public ClientMetricsManager clientMetrics() {
    return clientMetrics;
  }

  /** The incremental fetch sessions (for tests). */
  public FetchSessionCache fetchSessions() {
    return fetchSessions;
  }

  /** The replication throttles of partition reassignment (for tests and metrics). */
  public ReplicationThrottles replicationThrottles() {
    return throttles;
  }

  private static ExecutorService adminExecutor() {
    // One thread keeps admin operations in arrival order; the bounded queue sheds load instead
    // of growing without limit when ZooKeeper is slow.
    return new ThreadPoolExecutor(
        1,
        1,
        0,
        TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(ADMIN_QUEUE_CAPACITY),
        BrokerThreads.factory("ferry-admin"));
  }

  /** The share-group coordinator (tests). */
  public ShareGroupCoordinator shareGroups() {
    return shareGroups.coordinator;
  }

  /** The share-partitions this broker leads (tests). */
  public SharePartitionManager sharePartitions() {
    return shareGroups.partitions;
  }

  public BrokerConfig config() {
    return config;
  }

  /** The port the broker listens on (resolves port 0). */
  public int port() {
    return boundPort;
  }

  public String bootstrapServers() {
    return config.listener.host() + ":" + boundPort;
  }

  /** The port bound by the listener called {@code listenerName}. */
  public int port(String listenerName) {
    SocketServer server = socketServers.get(listenerName);
    if (server == null) {
      throw new IllegalArgumentException("no listener " + listenerName);
    }
    return server.boundPort();
  }

  /** {@code host:port} of the listener called {@code listenerName}. */
  public String bootstrapServers(String listenerName) {
    return config.listener(listenerName).orElseThrow().host() + ":" + port(listenerName);
  }

  /** The security components (authorizer, ACL and SCRAM stores); null before start. */
  public BrokerSecurity security() {
    return security;
  }

  /** The port of the Prometheus {@code /metrics} endpoint, or -1 when metrics are off. */
  public int metricsPort() {
    return metrics.port();
  }

  public MetadataStore metadata() {
    return metadata;
  }

  /** The running broker extension of type {@code type} (e.g. the schema registry), if started. */
  public <T> Optional<T> extension(Class<T> type) {
    return extensions.stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  /** Topic administration as the broker's handlers do it (futures, run on "ferry-admin"). */
  public TopicAdmin topicAdmin() {
    return topics;
  }

  public ReplicaManager replicaManager() {
    return replicaManager;
  }

  /** This broker's controller component (active only on the elected broker); null before start. */
  public ClusterController controller() {
    return controller;
  }

  /**
   * The topics a request's principal may describe, by asking the authorizer per topic (no
   * authorizer: every topic).
   */
  static Function<NetworkRequest, TopicVisibility> topicVisibility(Authorizer authorizer) {
    if (!authorizer.enabled()) {
      return request -> TopicVisibility.ALL;
    }
    return request ->
        topic ->
            authorizer.authorize(
                request.principal(),
                request.clientAddress(),
                AclOperation.DESCRIBE,
                ResourceType.TOPIC,
                topic);
  }

  /** Partitions that exist in the cluster's metadata, hosted here or not. */
  static KnownPartitions knownPartitions(MetadataView metadata) {
    return tp ->
        metadata
            .topic(tp.topic())
            .map(t -> tp.partition() >= 0 && tp.partition() < t.partitionCount())
            .orElse(false);
  }

  /** Stops everything that was started, newest first; safe to call more than once. */
  @Override
  public synchronized void close() {
    if (started.isEmpty()) {
      return;
    }
    long t0 = System.nanoTime();
    log.info(
        "Stopping broker {}{}",
        config.brokerId,
        registered && config.controlledShutdownEnable ? " (controlled shutdown first)" : "");
    if (registered && config.controlledShutdownEnable) {
      registered = false;
      try {
        new ControlledShutdown(config.brokerId, metadata, replicaManager, Time.SYSTEM)
            .run(config.controlledShutdownTimeoutMs);
      } catch (RuntimeException e) {
        log.warn("Controlled shutdown failed, stopping anyway: {}", e.toString());
      }
    }
    registered = false;
    extensions.clear();
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      try {
        c.close();
      } catch (Exception e) {
        log.warn("Error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
      }
    }
    log.info(
        "Broker {} stopped in {} ms",
        config.brokerId,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }
}
