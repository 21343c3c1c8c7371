package dev.ferry.storage.cleaner;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's map from record key to the latest offset seen for it, in a fixed amount of memory
 * and without an object per key: each slot holds a 128-bit hash of the key (MD5, as Kafka's cleaner
 * uses; keys are compared by hash only — a collision, odds about 2^-128 per pair, would let one key
 * shadow another) and an offset, with open addressing (linear probing) in one {@code long[]}.
 *
 * <p>It refuses to fill beyond {@value #MAX_LOAD_FACTOR} of its slots so probes stay short: the
 * cleaner checks {@link #isFull} and ends the dirty range it cleans at the last offset it put. Not
 * thread-safe: one cleaner thread owns it.
 */
public final class OffsetMap {

  static final double MAX_LOAD_FACTOR = 0.9;

  /** Longs per slot: hash high, hash low, offset + 1 (0 = empty). */
  private static final int SLOT_LONGS = 3;

  /** Bytes one slot costs, for sizing from a memory budget. */
  public static final int BYTES_PER_SLOT = SLOT_LONGS * Long.BYTES;

  private final long[] slots;
  private final int capacity;
  private final int maxEntries;
  private final MessageDigest md5;
  private final ByteBuffer digest = ByteBuffer.allocate(16);
  private long hashHigh;
  private long hashLow;
  private int size;
  private long latestOffset = -1;

  /** A map with room for {@code capacity} slots (of which {@link #maxEntries} may be used). */
  public OffsetMap(int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("capacity must be at least 2: " + capacity);
    }
    this.capacity = capacity;
    this.slots = new long[Math.multiplyExact(capacity, SLOT_LONGS)];
    // At least one slot stays empty, so that a probe always ends.
    this.maxEntries = Math.max(1, Math.min(capacity - 1, (int) (capacity * MAX_LOAD_FACTOR)));
    try {
      this.md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }

  /** Slots needed to hold {@code keys} entries. */
  public static int capacityFor(long keys) {
    long wanted = Math.max(2, (long) Math.ceil(keys / MAX_LOAD_FACTOR) + 1);
    return (int) Math.min(Integer.MAX_VALUE / SLOT_LONGS, wanted);
  }

  /**
   * Records {@code offset} as the latest offset of {@code key} (its position and limit are left as
   * they are). Offsets must be put in increasing order.
   *
   * @throws IllegalStateException if the map is full and the key is new
   */
  public void put(ByteBuffer key, long offset) {
    hash(key);
    int at = find() * SLOT_LONGS;
    if (slots[at + 2] == 0) {
      if (size >= maxEntries) {
        throw new IllegalStateException("offset map is full (" + size + " keys)");
      }
      slots[at] = hashHigh;
      slots[at + 1] = hashLow;
      size++;
    }
    slots[at + 2] = offset + 1;
    latestOffset = offset;
  }

  /** The latest offset put for {@code key}, or -1. */
  public long get(ByteBuffer key) {
    hash(key);
    return slots[find() * SLOT_LONGS + 2] - 1;
  }

  /** Whether another new key may not fit. */
  public boolean isFull() {
    return size >= maxEntries;
  }

  public int size() {
    return size;
  }

  int maxEntries() {
    return maxEntries;
  }

  /** The largest offset put, or -1 if none. */
  public long latestOffset() {
    return latestOffset;
  }

  public void clear() {
    Arrays.fill(slots, 0);
    size = 0;
    latestOffset = -1;
  }

  /** The slot holding the last hashed key, or the empty slot where it would go. */
  private int find() {
    int slot = (int) Long.remainderUnsigned(hashLow, capacity);
    while (true) {
      int at = slot * SLOT_LONGS;
      if (slots[at + 2] == 0 || (slots[at] == hashHigh && slots[at + 1] == hashLow)) {
        return slot;
      }
      slot = slot + 1 == capacity ? 0 : slot + 1;
    }
  }

  private void hash(ByteBuffer key) {
    md5.update(key.duplicate());
    try {
      md5.digest(digest.array(), 0, 16);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("MD5 digest does not fit 16 bytes", e);
    }
    hashHigh = digest.getLong(0);
    hashLow = digest.getLong(8);
  }
}
