package dev.ferry.coordinator.share;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * Share sessions (KIP-932): per group member and broker, the partitions the member fetches from
 * here and the epoch its next request must carry. Epoch 0 opens a session (replacing one the member
 * had), each ShareFetch or ShareAcknowledge at the expected epoch moves it on by one (after {@code
 * Integer.MAX_VALUE} comes 1), epoch -1 closes it. An incremental ShareFetch names only the
 * partitions it adds and those it forgets; the session fetches from all of them.
 *
 * <p>A session belongs to the connection that last moved it on: when that connection closes, the
 * session ends with it ({@link #closeConnection}) and the caller releases what the member held, as
 * Kafka does, instead of leaving a dead client's records locked until their acquisition lock
 * expires.
 */
public final class ShareSessions {

  /** Epoch of a request that opens a session. */
  public static final int INITIAL_EPOCH = 0;

  /** Epoch of a request that closes the session. */
  public static final int FINAL_EPOCH = -1;

  private record Key(String groupId, String memberId) {}

  private static final class Session {
    int nextEpoch = 1;
    long lastUsedMs;
    String connectionId;
    final LinkedHashSet<TopicIdPartition> partitions = new LinkedHashSet<>();
  }

  /** The outcome of a request's epoch check: an error, or the session's partitions after it. */
  public record Update(Errors error, List<TopicIdPartition> partitions) {}

  /** A session that ended with its connection: whose it was and what it fetched from. */
  public record Closed(String groupId, String memberId, List<TopicIdPartition> partitions) {}

  private final int maxSessions;
  private final long idleMs;
  private final Time time;
  private final Map<Key, Session> sessions = new HashMap<>();

  /**
   * @param maxSessions {@code group.share.max.share.sessions}
   * @param idleMs a session unused this long (its member died without closing it; the member's
   *     {@code group.share.session.timeout.ms}) may be evicted to make room for a new one
   */
  public ShareSessions(int maxSessions, long idleMs, Time time) {
    this.maxSessions = maxSessions;
    this.idleMs = idleMs;
    this.time = time;
  }

  /**
   * A ShareFetch's session step: opens, moves on or closes the member's session, which from now on
   * belongs to {@code connectionId}.
   */
  public synchronized Update fetch(
      String connectionId,
      String groupId,
      String memberId,
      int epoch,
      List<TopicIdPartition> added,
      List<TopicIdPartition> forgotten) {
    Key key = new Key(groupId, memberId);
    if (epoch == INITIAL_EPOCH) {
      if (!sessions.containsKey(key) && sessions.size() >= maxSessions) {
        long now = time.milliseconds();
        sessions.values().removeIf(idle -> now - idle.lastUsedMs >= idleMs);
        if (sessions.size() >= maxSessions) {
          return new Update(Errors.SHARE_SESSION_LIMIT_REACHED, List.of());
        }
      }
      Session s = new Session();
      s.lastUsedMs = time.milliseconds();
      s.connectionId = connectionId;
      s.partitions.addAll(added);
      sessions.put(key, s);
      return new Update(Errors.NONE, List.copyOf(s.partitions));
    }
    Session s = sessions.get(key);
    if (s == null) {
      return new Update(Errors.SHARE_SESSION_NOT_FOUND, List.of());
    }
    if (epoch == FINAL_EPOCH) {
      sessions.remove(key);
      return new Update(Errors.NONE, List.copyOf(s.partitions));
    }
    if (epoch != s.nextEpoch) {
      return new Update(Errors.INVALID_SHARE_SESSION_EPOCH, List.of());
    }
    s.nextEpoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
    s.lastUsedMs = time.milliseconds();
    s.connectionId = connectionId;
    forgotten.forEach(s.partitions::remove);
    s.partitions.addAll(added);
    return new Update(Errors.NONE, new ArrayList<>(s.partitions));
  }

  /** A ShareAcknowledge's session step: it needs an open session (epoch 0 is invalid). */
  public synchronized Update acknowledge(
      String connectionId, String groupId, String memberId, int epoch) {
    if (epoch == INITIAL_EPOCH) {
      return new Update(Errors.INVALID_SHARE_SESSION_EPOCH, List.of());
    }
    return fetch(connectionId, groupId, memberId, epoch, List.of(), List.of());
  }

  /** Whether the member has an open session here (a parked fetch checks before it hands out). */
  public synchronized boolean isOpen(String groupId, String memberId) {
    return sessions.containsKey(new Key(groupId, memberId));
  }

  /**
   * Ends every session of a closed connection. A scan: sessions are few ({@code
   * group.share.max.share.sessions}) and connections close rarely next to requests.
   */
  public synchronized List<Closed> closeConnection(String connectionId) {
    List<Closed> closed = new ArrayList<>();
    Iterator<Map.Entry<Key, Session>> it = sessions.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Key, Session> e = it.next();
      if (connectionId.equals(e.getValue().connectionId)) {
        it.remove();
        closed.add(
            new Closed(
                e.getKey().groupId(), e.getKey().memberId(), List.copyOf(e.getValue().partitions)));
      }
    }
    return closed;
  }

  /** Open sessions (tests, metrics). */
  public synchronized int size() {
    return sessions.size();
  }
}
