package dev.ferry.metadata.zk;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.KafkaException;
import org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.zookeeper.server.ServerCnxn;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone ZooKeeper server inside the broker's JVM, used when no {@code zookeeper.connect} is
 * configured so that one command starts a working single-node system.
 *
 * <p>It listens on 127.0.0.1 only and keeps snapshots and transaction logs under {@code dataDir}
 * (in {@code dataDir/version-2}), so the metadata survives a restart on the same directory. There
 * is no admin (Jetty) server and no JMX: ZooKeeper registers MBeans for the server, its data tree
 * and every client connection, and the first registration creates the JVM's platform MBean server
 * (about 200 ms of CPU on a cold JVM, the largest single part of this server's start). Nothing in
 * Ferry reads them (its metrics are Prometheus'), and this server is an implementation detail with
 * one client, the broker itself. ZooKeeper starts non-daemon threads: whoever starts it must {@link
 * #close()} it on every path, or the JVM will not exit.
 */
public final class EmbeddedZooKeeper implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

  /**
   * A short tick makes session expiry checks fine-grained; the session timeout bounds are set
   * explicitly rather than derived from it (ZooKeeper's default is 2 to 20 ticks).
   */
  static final int TICK_TIME_MS = 500;

  static final int MIN_SESSION_TIMEOUT_MS = 1_000;
  static final int MAX_SESSION_TIMEOUT_MS = 60_000;
  private static final int MAX_CLIENT_CONNECTIONS = 1_000;
  static final String WORKER_THREADS = "zookeeper.nio.numWorkerThreads";
  private static final long SHUTDOWN_TIMEOUT_MS = 10_000;

  private final Path dataDir;
  private final ZooKeeperServer server;
  private final ServerCnxnFactory connections;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedZooKeeper(
      Path dataDir, ZooKeeperServer server, ServerCnxnFactory connections, int port) {
    this.dataDir = dataDir;
    this.server = server;
    this.connections = connections;
    this.port = port;
  }

  /** Starts a server with its data under {@code dataDir}, on loopback; port 0 picks a free one. */
  public static EmbeddedZooKeeper start(Path dataDir, int port) {
    // We never start the admin server (only ZooKeeperServerMain does), but make sure nothing else
    // in this JVM does either: it would open an HTTP port on all interfaces.
    if (System.getProperty("zookeeper.admin.enableServer") == null) {
      System.setProperty("zookeeper.admin.enableServer", "false");
    }
    long startNanos = System.nanoTime();
    // Loading ZooKeeper's NIO connection factory installs a JVM-wide default uncaught-exception
    // handler; keep the broker's own.
    Thread.UncaughtExceptionHandler previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    ZooKeeperServer server = null;
    ServerCnxnFactory connections = null;
    try {
      Files.createDirectories(dataDir);
      server = new JmxFreeServer(dataDir.toFile(), TICK_TIME_MS);
      server.setMinSessionTimeout(MIN_SESSION_TIMEOUT_MS);
      server.setMaxSessionTimeout(MAX_SESSION_TIMEOUT_MS);
      connections = new JmxFreeConnections();
      configureWithoutWorkerThreads(
          connections, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      connections.startup(server);
      EmbeddedZooKeeper zk =
          new EmbeddedZooKeeper(dataDir, server, connections, connections.getLocalPort());
      log.info(
          "Embedded ZooKeeper started on {} with data in {} in {} ms",
          zk.connectString(),
          dataDir,
          (System.nanoTime() - startNanos) / 1_000_000);
      return zk;
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      shutDown(connections, server);
      throw new KafkaException(
          "Could not start embedded ZooKeeper on 127.0.0.1:" + port + " with data in " + dataDir,
          e);
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }
  }

  /**
   * Configures the connection factory to do each request's I/O on its selector thread instead of
   * handing it to a pool of worker threads (ZooKeeper's setting {@value #WORKER_THREADS} = 0). The
   * pool is for many clients on many cores; this server has one or two clients, the broker's own
   * sessions, and every request already passes through ZooKeeper's request-processor threads. One
   * thread hand-off fewer per request counts on a loaded machine, where each hand-off waits for a
   * core: the broker's start makes a few dozen ZooKeeper requests one after another. The factory
   * reads the setting only as a system property while it is configured; an operator's own value is
   * kept.
   */
  private static void configureWithoutWorkerThreads(
      ServerCnxnFactory connections, InetSocketAddress address) throws IOException {
    boolean ours = System.getProperty(WORKER_THREADS) == null;
    if (ours) {
      System.setProperty(WORKER_THREADS, "0");
    }
    try {
      connections.configure(address, MAX_CLIENT_CONNECTIONS);
    } finally {
      if (ours) {
        System.clearProperty(WORKER_THREADS);
      }
    }
  }

  /** host:port for clients. */
  public String connectString() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * Stops the server and all its threads, and closes its files. Bounded: gives up (with an error
   * log) after {@value #SHUTDOWN_TIMEOUT_MS} ms. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Thread shutdown = new Thread(() -> shutDown(connections, server), "ferry-embedded-zk-shutdown");
    shutdown.setDaemon(true);
    shutdown.start();
    try {
      shutdown.join(SHUTDOWN_TIMEOUT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (shutdown.isAlive()) {
      log.error(
          "Embedded ZooKeeper on {} did not shut down within {} ms",
          connectString(),
          SHUTDOWN_TIMEOUT_MS);
    } else {
      log.info("Embedded ZooKeeper on {} stopped (data in {})", connectString(), dataDir);
    }
  }

  private static void shutDown(ServerCnxnFactory connections, ZooKeeperServer server) {
    try {
      if (connections != null) {
        // Closes client connections and its threads, then shuts the server down.
        connections.shutdown();
      }
      if (server != null) {
        if (server.isRunning()) {
          server.shutdown(true);
        }
        // Release the snapshot and transaction log files.
        server.getTxnLogFactory().close();
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Error while stopping embedded ZooKeeper", e);
    }
  }

  /** A standalone server that registers no MBeans (see the class comment). */
  private static final class JmxFreeServer extends ZooKeeperServer {

    JmxFreeServer(File dataDir, int tickTime) throws IOException {
      super(dataDir, dataDir, tickTime);
    }

    @Override
    protected void registerJMX() {
      // no MBeans
    }

    @Override
    protected void unregisterJMX() {
      // none registered
    }
  }

  /** ZooKeeper's NIO connection factory without a connection MBean per client. */
  private static final class JmxFreeConnections extends NIOServerCnxnFactory {

    @Override
    public void registerConnection(ServerCnxn connection) {
      // no MBeans
    }

    @Override
    public void unregisterConnection(ServerCnxn connection) {
      // none registered
    }
  }
}
