package dev.ferry.metadata.zk;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.MetadataCache;
import dev.ferry.runtime.BrokerThreads;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.errors.DuplicateBrokerRegistrationException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's ephemeral znode under {@code /ferry/brokers/ids}. The znode lives as long as our
 * ZooKeeper session; when Curator reconnects (possibly with a new session after the old one
 * expired) we make sure it exists again, on a dedicated thread because it may have to wait.
 */
final class BrokerRegistration implements ConnectionStateListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BrokerRegistration.class);
  private static final long POLL_MS = 100;

  private final CuratorFramework client;
  private final MetadataCache cache;
  private final ExecutorService reRegistration =
      Executors.newSingleThreadExecutor(BrokerThreads.factory("ferry-broker-registration"));
  private volatile BrokerInfo registered;
  private volatile long epoch = -1;
  private volatile boolean closed;

  BrokerRegistration(CuratorFramework client, MetadataCache cache) {
    this.client = client;
    this.cache = cache;
    client.getConnectionStateListenable().addListener(this);
  }

  /**
   * Creates the ephemeral znode. If another session holds it, waits up to {@code staleWaitMs} for
   * that session to go away (a restarted broker's previous session lingers until it expires).
   *
   * @throws DuplicateBrokerRegistrationException if the id stays held by another session
   */
  synchronized void register(BrokerInfo broker, long staleWaitMs) {
    BrokerInfo current = registered;
    if (current != null && current.id() != broker.id()) {
      throw new IllegalStateException(
          "This store already registered broker " + current.id() + ", not " + broker.id());
    }
    ensureRegistered(broker, staleWaitMs);
    registered = broker;
  }

  private void ensureRegistered(BrokerInfo broker, long staleWaitMs) {
    String path = ZkPaths.broker(broker.id());
    byte[] data = ZNodeCodec.encodeBroker(broker);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(staleWaitMs);
    String action = "registering broker " + broker.id();
    try {
      while (true) {
        try {
          Stat stat = new Stat();
          client.create().storingStatIn(stat).withMode(CreateMode.EPHEMERAL).forPath(path, data);
          epoch = stat.getCzxid();
          cache.putBroker(broker, stat.getCzxid(), stat.getMzxid());
          log.info("Registered broker {} at {}", broker, path);
          return;
        } catch (KeeperException.NodeExistsException e) {
          Stat stat = new Stat();
          byte[] existing;
          try {
            existing = client.getData().storingStatIn(stat).forPath(path);
          } catch (KeeperException.NoNodeException gone) {
            continue; // the other session just ended; try again
          }
          long ourSession = client.getZookeeperClient().getZooKeeper().getSessionId();
          if (stat.getEphemeralOwner() == ourSession) {
            // Ours already (a retried create that had succeeded, or a registration that survived
            // a reconnect): just make sure it says what we want.
            if (!Arrays.equals(existing, data)) {
              stat = client.setData().withVersion(stat.getVersion()).forPath(path, data);
            }
            epoch = stat.getCzxid();
            cache.putBroker(broker, stat.getCzxid(), stat.getMzxid());
            return;
          }
          if (closed || System.nanoTime() - deadline >= 0) {
            throw new DuplicateBrokerRegistrationException(
                "Broker id "
                    + broker.id()
                    + " is registered by another live ZooKeeper session (0x"
                    + Long.toHexString(stat.getEphemeralOwner())
                    + "): another broker uses this id, or this broker's previous session has not"
                    + " expired yet (it does within zookeeper.session.timeout.ms)");
          }
          Thread.sleep(POLL_MS);
        }
      }
    } catch (Exception e) {
      throw ZkErrors.translate(action, e);
    }
  }

  /**
   * The czxid of our registration znode (the broker epoch), -1 before the first registration. After
   * a lost session it stays at the old value until the new registration is made: the partitions
   * this process leads keep their log, so nothing it decided on needs undoing meanwhile.
   */
  long epoch() {
    return epoch;
  }

  @Override
  public void stateChanged(CuratorFramework client, ConnectionState newState) {
    if (newState == ConnectionState.RECONNECTED && registered != null && !closed) {
      reRegistration.execute(this::reRegister);
    }
  }

  private void reRegister() {
    BrokerInfo broker = registered;
    if (broker == null || closed) {
      return;
    }
    try {
      // After a session expiry the old znode is already gone on the server; wait one session
      // timeout in case the server has not noticed yet.
      long sessionTimeoutMs = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
      synchronized (this) {
        ensureRegistered(broker, sessionTimeoutMs);
      }
    } catch (Exception e) {
      log.error(
          "Could not re-register broker {} after reconnecting to ZooKeeper; other brokers will"
              + " not see it as live",
          broker.id(),
          e);
    }
  }

  @Override
  public void close() {
    closed = true;
    client.getConnectionStateListenable().removeListener(this);
    reRegistration.shutdownNow();
    try {
      if (!reRegistration.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("Broker re-registration thread did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
