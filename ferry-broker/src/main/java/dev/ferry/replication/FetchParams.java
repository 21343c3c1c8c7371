package dev.ferry.replication;

import org.apache.kafka.common.IsolationLevel;

/**
 * Who reads and how far they may see: the request-wide part of a fetch. A follower ({@code
 * replicaId >= 0}) reads to the log end and its fetch offset counts as its replication progress;
 * anyone else reads to the bound of {@code isolation}.
 */
public record FetchParams(int replicaId, FetchIsolation isolation) {

  /** A fetch from the follower replica on broker {@code replicaId}. */
  public static FetchParams follower(int replicaId) {
    if (replicaId < 0) {
      throw new IllegalArgumentException("Not a replica id: " + replicaId);
    }
    return new FetchParams(replicaId, FetchIsolation.LOG_END);
  }

  /** A consumer's fetch at {@code level}. */
  public static FetchParams consumer(IsolationLevel level) {
    return new FetchParams(-1, FetchIsolation.of(level));
  }

  /** A broker-internal reader of the whole local log (e.g. a coordinator loading its state). */
  public static FetchParams localLogEnd() {
    return new FetchParams(-1, FetchIsolation.LOG_END);
  }

  /** A Fetch request's parameters: by its replica id, else its isolation level. */
  public static FetchParams of(int replicaId, byte isolationLevel) {
    return replicaId >= 0
        ? follower(replicaId)
        : new FetchParams(-1, FetchIsolation.ofWire(isolationLevel));
  }

  public boolean fromFollower() {
    return replicaId >= 0;
  }
}
