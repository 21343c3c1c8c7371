package dev.ferry.metadata.zk;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.client.ZKClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readies the ZooKeeper client's classes on a background thread while the broker does other
 * start-up work.
 *
 * <p>The first ZooKeeper client configuration in a JVM initialises the client's TLS helpers, whose
 * static set-up asks the JDK for its default SSL context: the security providers and the whole CA
 * trust store are loaded even when TLS is off. That is 150–600 ms of a cold start, paid on the
 * critical path right before the broker's first ZooKeeper session. Started at the top of broker
 * start-up, it runs alongside the embedded ZooKeeper's start on the second core; a client created
 * before it finishes simply waits for the class initialisation, as it would have anyway.
 */
public final class ZooKeeperClientPreload {

  private static final Logger log = LoggerFactory.getLogger(ZooKeeperClientPreload.class);
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private ZooKeeperClientPreload() {}

  /** Starts the preload unless this JVM already did (it is a class initialisation: once). */
  public static void startInBackground() {
    if (!STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread preload =
        new Thread(
            () -> {
              try {
                new ZKClientConfig();
              } catch (RuntimeException | LinkageError e) {
                // The real client will meet the same problem and report it where it matters.
                log.debug("ZooKeeper client preload failed: {}", e.toString());
              }
            },
            "ferry-zk-client-preload");
    preload.setDaemon(true);
    preload.start();
  }
}
