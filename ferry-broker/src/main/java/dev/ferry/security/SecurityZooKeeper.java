package dev.ferry.security;

import dev.ferry.metadata.zk.ZkClientSettings;
import dev.ferry.runtime.BrokerThreads;
import java.io.Closeable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.kafka.common.KafkaException;

/**
 * The security stores' own ZooKeeper session (ACLs and SCRAM credentials), separate from the
 * cluster metadata's so the two evolve independently.
 *
 * <pre>
 * /ferry/security
 *   acls/&lt;ResourceType&gt;/&lt;PatternType&gt;/&lt;url-encoded name&gt;  {version, acls: [{principal, host,
 *                                                   operation, permissionType}]}
 *   scram/&lt;url-encoded user&gt;                        {version, credentials: {SCRAM-SHA-256:
 *                                                   {salt, storedKey, serverKey, iterations}}}
 * </pre>
 */
public final class SecurityZooKeeper implements Closeable {

  public static final String ROOT = "/ferry/security";
  public static final String ACLS = ROOT + "/acls";
  public static final String SCRAM = ROOT + "/scram";

  private final CuratorFramework client;
  private final ExecutorService events;

  private SecurityZooKeeper(CuratorFramework client, ExecutorService events) {
    this.client = client;
    this.events = events;
  }

  public static SecurityZooKeeper connect(
      String connectString, int sessionTimeoutMs, int connectionTimeoutMs) {
    int slash = connectString.indexOf('/');
    String hosts = slash < 0 ? connectString : connectString.substring(0, slash);
    String chroot = slash < 0 ? "" : connectString.substring(slash + 1).replaceAll("/+$", "");
    ExecutorService events =
        Executors.newSingleThreadExecutor(BrokerThreads.factory("ferry-security-zk-events"));
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(hosts)
            .sessionTimeoutMs(sessionTimeoutMs)
            .connectionTimeoutMs(connectionTimeoutMs)
            .retryPolicy(new BoundedExponentialBackoffRetry(100, 2_000, 10))
            .waitForShutdownTimeoutMs(2_000)
            .runSafeService(events)
            .threadFactory(BrokerThreads.factory("ferry-security-zk"))
            .zkClientConfig(ZkClientSettings.clientConfig());
    if (!chroot.isEmpty()) {
      builder.namespace(chroot);
    }
    CuratorFramework client = builder.build();
    SecurityZooKeeper zk = new SecurityZooKeeper(client, events);
    try {
      client.start();
      if (!client.blockUntilConnected(connectionTimeoutMs, TimeUnit.MILLISECONDS)) {
        throw new KafkaException("Could not connect to ZooKeeper at " + connectString);
      }
      for (String path : new String[] {ACLS, SCRAM}) {
        client.createContainers(path);
      }
    } catch (Exception e) {
      zk.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e instanceof KafkaException k ? k : new KafkaException(e);
    }
    return zk;
  }

  public CuratorFramework client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
    events.shutdownNow();
  }
}
