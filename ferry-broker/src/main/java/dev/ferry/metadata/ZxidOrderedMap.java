package dev.ferry.metadata;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latest known value of each znode of one kind, ordered by ZooKeeper zxids so that updates
 * arriving out of order cannot move it backwards.
 *
 * <p>Values reach the cache two ways: from the result of our own write, as soon as it returns, and
 * from the watch some time later. The watch may thus deliver a state older than one we already hold
 * (or the creation of a node we have since deleted). Each value carries the zxid that created its
 * znode (czxid, which tells incarnations of a path apart) and the one that last modified it
 * (mzxid); deletions leave a tombstone "incarnations created at or before zxid Z are gone".
 * Tombstones only have to outlive the short race between a write returning and its result being
 * applied, so at most {@link #MAX_TOMBSTONES} of the newest are kept. Not thread-safe: the owner
 * serialises access.
 */
final class ZxidOrderedMap<K, V> {

  static final int MAX_TOMBSTONES = 4096;

  private record Versioned<V>(V value, long czxid, long mzxid) {}

  private final Map<K, Versioned<V>> live = new HashMap<>();

  private final Map<K, Long> tombstones =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<K, Long> eldest) {
          return size() > MAX_TOMBSTONES;
        }
      };

  /**
   * Stores {@code value} unless what we hold is newer.
   *
   * @return true if the value was stored
   */
  boolean put(K key, V value, long czxid, long mzxid) {
    Long deletedUpTo = tombstones.get(key);
    if (deletedUpTo != null && czxid <= deletedUpTo) {
      return false;
    }
    Versioned<V> current = live.get(key);
    if (current != null
        && (czxid < current.czxid() || (czxid == current.czxid() && mzxid <= current.mzxid()))) {
      return false;
    }
    live.put(key, new Versioned<>(value, czxid, mzxid));
    return true;
  }

  /**
   * Records that every incarnation of {@code key} created at or before {@code deletedUpTo} is gone:
   * the czxid of the deleted znode (from a watch) or the zxid of the deleting transaction.
   *
   * @return true if a value was removed
   */
  boolean remove(K key, long deletedUpTo) {
    tombstones.merge(key, deletedUpTo, Math::max);
    Versioned<V> current = live.get(key);
    if (current != null && current.czxid() <= deletedUpTo) {
      live.remove(key);
      return true;
    }
    return false;
  }

  V get(K key) {
    Versioned<V> current = live.get(key);
    return current == null ? null : current.value();
  }

  int tombstoneCount() {
    return tombstones.size();
  }
}
