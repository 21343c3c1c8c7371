package dev.ferry.metadata.zk;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** Shared helpers for tests against a real ZooKeeper. */
final class ZkTestSupport {

  /** Threads of a ZooKeeper server (standalone) in this JVM. */
  private static final Pattern SERVER_THREADS =
      Pattern.compile(
          "NIOServerCxnFactory.*|NIOWorkerThread.*|SessionTracker|SyncThread:.*|ProcessThread.*"
              + "|RequestThrottler|ConnnectionExpirer|ConnectionExpirer");

  private ZkTestSupport() {}

  static List<String> liveZooKeeperServerThreads() {
    Set<Thread> threads = Thread.getAllStackTraces().keySet();
    return threads.stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> SERVER_THREADS.matcher(name).matches())
        .sorted()
        .collect(Collectors.toList());
  }

  /**
   * Expires the session of {@code client} on the server, as a long network partition would: a
   * second client joins the same session and closes it.
   */
  static void expireSession(ZooKeeper client, String connectString) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper intruder =
        new ZooKeeper(
            connectString,
            client.getSessionTimeout(),
            event -> {
              if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
              }
            },
            client.getSessionId(),
            client.getSessionPasswd());
    try {
      if (!connected.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError(
            "could not join session 0x" + Long.toHexString(client.getSessionId()));
      }
    } finally {
      intruder.close();
    }
  }
}
