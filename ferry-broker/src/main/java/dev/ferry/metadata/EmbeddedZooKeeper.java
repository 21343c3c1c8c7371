package dev.ferry.metadata;

import java.io.Closeable;
import java.nio.file.Path;

/**
 * A standalone ZooKeeper server inside the broker's JVM, used when no {@code zookeeper.connect}
 * is configured so that one command starts a working single-node system.
 */
public final class EmbeddedZooKeeper implements Closeable {

  /** Starts a server with its data under {@code dataDir}, on loopback; port 0 picks a free one. */
  public static EmbeddedZooKeeper start(Path dataDir, int port) {
    throw new UnsupportedOperationException("TODO");
  }

  /** host:port for clients. */
  public String connectString() {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO");
  }
}
