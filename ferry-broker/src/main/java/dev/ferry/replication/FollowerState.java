package dev.ferry.replication;

/**
 * What a leader knows of one follower, from its fetches. Guarded by the owning partition's lock.
 *
 * <p>"Caught up" follows Kafka's definition: a fetch at or past the leader's log end offset makes
 * the follower caught up now; a fetch at or past the log end offset the leader had at the
 * follower's previous fetch makes it caught up as of that previous fetch.
 */
final class FollowerState {

  /** The follower's log end offset (its last fetch offset), or -1 before its first fetch. */
  long logEndOffset = -1;

  long lastCaughtUpTimeMs;
  long lastFetchTimeMs;
  long lastFetchLeaderLogEndOffset = -1;

  FollowerState(long nowMs) {
    // A new leader gives every follower a full lag period to show up.
    this.lastCaughtUpTimeMs = nowMs;
  }

  void onFetch(long fetchOffset, long leaderLogEndOffset, long nowMs) {
    logEndOffset = fetchOffset;
    if (fetchOffset >= leaderLogEndOffset) {
      lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, nowMs);
    } else if (lastFetchLeaderLogEndOffset >= 0 && fetchOffset >= lastFetchLeaderLogEndOffset) {
      lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, lastFetchTimeMs);
    }
    lastFetchLeaderLogEndOffset = leaderLogEndOffset;
    lastFetchTimeMs = nowMs;
  }
}
