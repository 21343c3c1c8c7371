package dev.ferry.metrics;

import dev.ferry.network.NetworkMetrics;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.storage.LogManager;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All of a broker's metrics: one registry per broker (tests run several brokers in one JVM), the
 * network hook, the append hook, scrape-time gauges, JVM metrics and the HTTP endpoint.
 *
 * <p>{@link #disabled()} is what a broker without {@code metrics.port} gets: the no-op network hook
 * and nothing registered or served.
 */
public final class BrokerMetrics implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(BrokerMetrics.class);

  private final PrometheusRegistry registry;
  private final NetworkMetrics network;
  private final MetricsServer server;
  private final TopicMetrics topics;

  private BrokerMetrics(
      PrometheusRegistry registry,
      NetworkMetrics network,
      MetricsServer server,
      TopicMetrics topics) {
    this.registry = registry;
    this.network = network;
    this.server = server;
    this.topics = topics;
  }

  public static BrokerMetrics disabled() {
    return new BrokerMetrics(null, NetworkMetrics.NOOP, null, null);
  }

  /**
   * Registers every series, hooks the append path and serves {@code /metrics} on {@code host:port};
   * with {@code port <= 0} returns {@link #disabled()} unless {@code keepWithoutPort}, when the
   * series are kept for in-process readers (the web console) and nothing is served.
   *
   * @param apis the APIs the broker serves (each gets its request series up front)
   */
  public static BrokerMetrics start(
      String host,
      int port,
      boolean keepWithoutPort,
      ApiVersionCollection apis,
      ReplicaManager replicaManager,
      LogManager logManager) {
    if (port <= 0 && !keepWithoutPort) {
      return disabled();
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    List<ApiKeys> keys = new ArrayList<>();
    for (ApiVersion v : apis) {
      if (ApiKeys.hasId(v.apiKey())) {
        keys.add(ApiKeys.forId(v.apiKey()));
      }
    }
    RequestMetrics network = new RequestMetrics(registry, keys);
    TopicMetrics topics = new TopicMetrics(registry, replicaManager);
    replicaManager.addAppendListener(topics);
    new PartitionMetrics(registry, replicaManager);
    new OpenFileMetrics(registry, logManager.openFiles(), logManager);
    JvmMetrics.builder().register(registry);
    if (port <= 0) {
      return new BrokerMetrics(registry, network, null, topics);
    }
    MetricsServer server = MetricsServer.start(registry, host, port);
    log.info("Serving Prometheus metrics on http://{}:{}/metrics", host, server.port());
    return new BrokerMetrics(registry, network, server, topics);
  }

  /** Adds the client quota and replication throttle series (nothing when disabled). */
  public void registerQuotas(
      dev.ferry.quota.ClientQuotas quotas, dev.ferry.quota.ReplicationThrottles replication) {
    if (registry != null) {
      new QuotaMetrics(registry, quotas, replication);
    }
  }

  /** Adds the incremental fetch session series (nothing when disabled). */
  public void registerFetchSessions(dev.ferry.server.fetch.FetchSessionCache sessions) {
    if (registry != null) {
      FetchSessionMetrics.register(registry, sessions);
    }
  }

  /** Counts consumer fetch bytes per topic (nothing when disabled). */
  public void registerConsumerBytes(dev.ferry.server.fetch.FetchHandler fetch) {
    if (topics != null) {
      fetch.setConsumerBytesListener(topics);
    }
  }

  /** The hook to give the socket server. */
  public NetworkMetrics network() {
    return network;
  }

  /** The registry, or null when disabled. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** The port {@code /metrics} is served on, or -1 when disabled. */
  public int port() {
    return server == null ? -1 : server.port();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
