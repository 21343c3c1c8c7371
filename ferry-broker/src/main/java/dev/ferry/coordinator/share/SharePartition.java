package dev.ferry.coordinator.share;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one share-partition on the partition's leader (KIP-932): the share-partition start
 * offset (every record below it is acknowledged or archived) and, from there to the end offset, the
 * in-flight records, each AVAILABLE, ACQUIRED (by one member, under an acquisition lock),
 * ACKNOWLEDGED or ARCHIVED, with its delivery count. Records past the end offset have not been
 * delivered yet.
 *
 * <p>In-flight state lives in parallel arrays indexed by offset, no object per record; the window
 * is bounded by {@code group.share.partition.max.record.locks}. Every method is synchronized: the
 * network threads acquire and acknowledge, the broker's scheduler expires locks. Each acquisition
 * schedules one lock-expiry task; on expiry the acquisition's records still held are released.
 * Every change other than an acquisition is written to the {@link ShareStateStore} (in order,
 * through a {@link ShareStateWriter}); an acknowledgement is answered once its write is durable.
 */
public final class SharePartition {

  private static final Logger log = LoggerFactory.getLogger(SharePartition.class);

  /** Record states, with Kafka's ids (as persisted in its share-group state). */
  public static final byte AVAILABLE = 0;

  public static final byte ACQUIRED = 1;
  public static final byte ACKNOWLEDGED = 2;
  public static final byte ARCHIVED = 4;

  /** Acknowledge types on the wire. */
  public static final byte GAP = 0;

  public static final byte ACCEPT = 1;
  public static final byte RELEASE = 2;
  public static final byte REJECT = 3;

  /** KIP-1222 (ShareFetch/ShareAcknowledge v2): keep the record, with a fresh lock. */
  public static final byte RENEW = 4;

  /** Schedules lock expiries (the broker's scheduler). */
  public interface LockTimer {
    void schedule(Runnable task, long delay, TimeUnit unit);
  }

  /** One acknowledgement batch of a request. */
  public record AckBatch(long firstOffset, long lastOffset, List<Byte> types) {}

  /** What one acquisition hands to a member: the record bytes and the offsets it now holds. */
  public record Acquisition(Records records, List<AcquiredRecords> acquired, int count) {
    static final Acquisition NONE = new Acquisition(MemoryRecords.EMPTY, List.of(), 0);
  }

  private final SharePartitionKey key;
  private final ShareLog shareLog;
  private final ShareGroupSettings settings;
  private final ShareStateWriter writer;
  private final LockTimer timer;
  private final Runnable onAvailable;

  private long start;
  private long end;

  /** The offset of index 0 of the arrays; at or below {@link #start}. */
  private long base;

  private byte[] state = new byte[64];
  private short[] deliveries = new short[64];
  private String[] owner = new String[64];
  private int[] acquisition = new int[64];
  private int nextAcquisition = 1;

  /** Set when an admin replaced this state (AlterShareGroupOffsets, DeleteShareGroupOffsets). */
  private boolean retired;

  /**
   * @param onAvailable called (outside this partition's lock) when records become available again,
   *     so waiting fetches can take them
   */
  SharePartition(
      SharePartitionKey key,
      ShareLog shareLog,
      ShareGroupSettings settings,
      ShareStateStore store,
      LockTimer timer,
      Runnable onAvailable,
      ShareStateSnapshot persisted) {
    this.key = key;
    this.shareLog = shareLog;
    this.settings = settings;
    this.writer = new ShareStateWriter(store, key, shareLog.leaderEpoch());
    this.timer = timer;
    this.onAvailable = onAvailable;
    if (persisted == null) {
      start = settings.earliest() ? shareLog.logStartOffset() : shareLog.highWatermark();
      end = start;
      base = start;
    } else {
      start = persisted.startOffset();
      base = start;
      end = start;
      for (ShareStateSnapshot.Run r : persisted.runs()) {
        for (long o = r.first(); o <= r.last(); o++) {
          if (o < start) {
            continue;
          }
          track(o);
          int i = index(o);
          state[i] = r.state() == ACQUIRED ? AVAILABLE : r.state();
          deliveries[i] = r.deliveryCount();
        }
      }
      advanceStart();
    }
  }

  public SharePartitionKey key() {
    return key;
  }

  /** The leader epoch this state was loaded at. */
  int leaderEpoch() {
    return shareLog.leaderEpoch();
  }

  /** The share-partition start offset (SPSO). */
  public synchronized long startOffset() {
    return start;
  }

  /** One past the last in-flight offset (every offset from here on was never delivered). */
  public synchronized long endOffset() {
    return end;
  }

  /** The state of {@code offset} (offsets below the start are ACKNOWLEDGED or ARCHIVED). */
  public synchronized byte stateOf(long offset) {
    if (offset < start) {
      return ARCHIVED;
    }
    return offset >= end ? AVAILABLE : state[index(offset)];
  }

  public synchronized short deliveryCountOf(long offset) {
    return offset < start || offset >= end ? 0 : deliveries[index(offset)];
  }

  /**
   * The in-flight records past the start offset whose delivery is complete (acknowledged or
   * archived): Kafka's {@code deliveryCompleteCount}, which share-group lag leaves out.
   */
  public synchronized long deliveryCompleteCount() {
    long n = 0;
    for (long o = start; o < end; o++) {
      byte s = state[index(o)];
      if (s == ACKNOWLEDGED || s == ARCHIVED) {
        n++;
      }
    }
    return n;
  }

  /**
   * Stops this share-partition for good: its state was replaced in the store by an admin request,
   * so it acquires nothing more and writes nothing (a lock expiry still pending must not write the
   * old state back). The manager loads the replacement on the next fetch.
   */
  synchronized void retire() {
    retired = true;
  }

  /** Whether any record could be acquired now (fetch wake-ups). */
  public synchronized boolean hasAcquirable() {
    return !retired
        && (firstAvailable() < end
            || (end - start < settings.maxRecordLocks() && end < shareLog.highWatermark()));
  }

  // ------------------------------------------------------------------- acquisition

  /**
   * Acquires available records for {@code memberId}: released ones first, then new ones, whole
   * batches at a time until at least {@code maxRecords} are taken, within the lock window.
   *
   * @throws org.apache.kafka.common.errors.ApiException when the log cannot be read (e.g. this
   *     broker no longer leads the partition)
   */
  public synchronized Acquisition acquire(String memberId, int maxRecords, int maxBytes) {
    if (maxRecords <= 0 || retired) {
      return Acquisition.NONE;
    }
    long logStart = shareLog.logStartOffset();
    if (start < logStart) {
      // Retention or DeleteRecords removed records never acknowledged: they are gone.
      for (long o = start; o < Math.min(logStart, end); o++) {
        state[index(o)] = ARCHIVED;
      }
      if (end < logStart) {
        end = logStart;
      }
      start = logStart;
      advanceStart();
    }
    long first = firstAvailable();
    if (first >= end
        && (end - start >= settings.maxRecordLocks() || end >= shareLog.highWatermark())) {
      return Acquisition.NONE;
    }
    Records records = shareLog.read(first, maxBytes);
    int id = nextAcquisition++;
    int count = 0;
    int read = 0;
    int bytes = 0;
    List<AcquiredRecords> ranges = new ArrayList<>();
    boolean windowFull = false;
    for (RecordBatch b : records.batches()) {
      if (count >= maxRecords || windowFull) {
        break;
      }
      long from = Math.max(b.baseOffset(), first);
      for (long gap = end; gap < from; gap++) {
        // Offsets missing from the log (compacted away) are never delivered.
        if (gap - start >= settings.maxRecordLocks()) {
          windowFull = true;
          break;
        }
        track(gap);
        state[index(gap)] = ARCHIVED;
      }
      boolean took = false;
      for (long o = from; o <= b.lastOffset() && !windowFull; o++) {
        if (o >= end) {
          if (o - start >= settings.maxRecordLocks()) {
            windowFull = true;
            break;
          }
          track(o);
        }
        int i = index(o);
        if (state[i] != AVAILABLE) {
          continue;
        }
        if (b.isControlBatch()) {
          state[i] = ARCHIVED; // transaction markers are not records to deliver
          continue;
        }
        state[i] = ACQUIRED;
        deliveries[i]++;
        owner[i] = memberId;
        acquisition[i] = id;
        count++;
        took = true;
        addRange(ranges, o, deliveries[i]);
      }
      read += b.sizeInBytes();
      if (took) {
        bytes = read; // the slice ends with the last batch something was taken from
      }
    }
    advanceStart();
    if (count == 0) {
      return Acquisition.NONE;
    }
    timer.schedule(() -> expire(id), settings.recordLockDurationMs(), TimeUnit.MILLISECONDS);
    Records slice = bytes < records.sizeInBytes() ? records.slice(0, bytes) : records;
    return new Acquisition(slice, ranges, count);
  }

  private static void addRange(List<AcquiredRecords> ranges, long offset, short deliveryCount) {
    if (!ranges.isEmpty()) {
      AcquiredRecords last = ranges.get(ranges.size() - 1);
      if (last.lastOffset() == offset - 1 && last.deliveryCount() == deliveryCount) {
        last.setLastOffset(offset);
        return;
      }
    }
    ranges.add(
        new AcquiredRecords()
            .setFirstOffset(offset)
            .setLastOffset(offset)
            .setDeliveryCount(deliveryCount));
  }

  // ------------------------------------------------------------------- acknowledgement

  /**
   * Applies {@code memberId}'s acknowledgements, all or none: INVALID_REQUEST for a malformed batch
   * or an unknown type, INVALID_RECORD_STATE when an offset is not acquired by this member.
   * Completes once the new state is durable (or with the error of its write).
   */
  public CompletableFuture<Errors> acknowledge(String memberId, List<AckBatch> batches) {
    boolean released;
    CompletableFuture<Void> persisted;
    synchronized (this) {
      Errors invalid = validate(memberId, batches);
      if (invalid != Errors.NONE) {
        return CompletableFuture.completedFuture(invalid);
      }
      released = false;
      int renewal = 0;
      for (AckBatch b : batches) {
        for (long o = b.firstOffset(); o <= b.lastOffset(); o++) {
          byte type =
              b.types().size() == 1 ? b.types().get(0) : b.types().get((int) (o - b.firstOffset()));
          int i = index(o);
          if (type == RENEW) {
            if (renewal == 0) {
              renewal = nextAcquisition++;
            }
            acquisition[i] = renewal; // the old lock's expiry no longer applies to it
            continue;
          }
          owner[i] = null;
          switch (type) {
            case ACCEPT -> state[i] = ACKNOWLEDGED;
            case RELEASE -> released |= release(i);
            default -> state[i] = ARCHIVED; // REJECT, GAP
          }
        }
      }
      if (renewal != 0) {
        int id = renewal;
        timer.schedule(() -> expire(id), settings.recordLockDurationMs(), TimeUnit.MILLISECONDS);
      }
      advanceStart();
      persisted = persist();
    }
    if (released) {
      onAvailable.run();
    }
    return persisted.handle((ok, failure) -> failure == null ? Errors.NONE : writeError(failure));
  }

  /**
   * The error an acknowledgement answers when its state write failed: the store's (a deposed
   * leader's write is FENCED_LEADER_EPOCH), else a storage error the client may retry.
   */
  private Errors writeError(Throwable failure) {
    Throwable t =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    log.error("Could not write the state of share-partition {}: {}", key, t.toString());
    if (t instanceof ApiException && Errors.forException(t) == Errors.FENCED_LEADER_EPOCH) {
      return Errors.FENCED_LEADER_EPOCH;
    }
    return Errors.KAFKA_STORAGE_ERROR;
  }

  private Errors validate(String memberId, List<AckBatch> batches) {
    long previousLast = -1;
    for (AckBatch b : batches) {
      long n = b.lastOffset() - b.firstOffset() + 1;
      if (n <= 0
          || b.firstOffset() <= previousLast
          || b.types().isEmpty()
          || (b.types().size() != 1 && b.types().size() != n)) {
        return Errors.INVALID_REQUEST;
      }
      previousLast = b.lastOffset();
      for (Byte t : b.types()) {
        if (t == null || t < GAP || t > RENEW) {
          return Errors.INVALID_REQUEST;
        }
      }
      for (long o = b.firstOffset(); o <= b.lastOffset(); o++) {
        if (o < start || o >= end) {
          return Errors.INVALID_RECORD_STATE;
        }
        int i = index(o);
        if (state[i] != ACQUIRED || !memberId.equals(owner[i])) {
          return Errors.INVALID_RECORD_STATE;
        }
      }
    }
    return Errors.NONE;
  }

  /** Releases everything {@code memberId} holds (its share session closed). */
  public void releaseMember(String memberId) {
    releaseHeld(memberId, null, false);
  }

  /**
   * Gives back records acquired for a response that was never sent (the member's share session
   * ended while its fetch was acquiring): no consumer saw them, so their delivery count goes back
   * to what it was and they are AVAILABLE again, as if that acquisition had not happened. Records
   * of {@code ranges} no longer held by {@code memberId} are left alone.
   */
  public void returnUndelivered(String memberId, List<AcquiredRecords> ranges) {
    releaseHeld(memberId, ranges, true);
  }

  /**
   * Releases what {@code memberId} holds, within {@code ranges} (null: everywhere), undoing the
   * delivery those records were counted for when {@code undoDelivery}.
   */
  private void releaseHeld(String memberId, List<AcquiredRecords> ranges, boolean undoDelivery) {
    boolean changed = false;
    boolean available = false;
    synchronized (this) {
      for (long o = start; o < end; o++) {
        int i = index(o);
        if (state[i] == ACQUIRED && memberId.equals(owner[i]) && within(ranges, o)) {
          if (undoDelivery) {
            deliveries[i]--;
          }
          changed = true;
          available |= release(i);
        }
      }
      if (changed) {
        advanceStart();
        persistInBackground();
      }
    }
    if (available) {
      onAvailable.run();
    }
  }

  private static boolean within(List<AcquiredRecords> ranges, long offset) {
    if (ranges == null) {
      return true;
    }
    for (AcquiredRecords r : ranges) {
      if (offset >= r.firstOffset() && offset <= r.lastOffset()) {
        return true;
      }
    }
    return false;
  }

  /** The lock of acquisition {@code id} expired: its records still held go back. */
  void expire(int id) {
    boolean changed = false;
    boolean available = false;
    synchronized (this) {
      for (long o = start; o < end; o++) {
        int i = index(o);
        if (state[i] == ACQUIRED && acquisition[i] == id) {
          changed = true;
          available |= release(i);
        }
      }
      if (changed) {
        advanceStart();
        persistInBackground();
      }
    }
    if (available) {
      onAvailable.run();
    }
  }

  /** Makes index {@code i} available again, or archives it past the delivery limit. */
  private boolean release(int i) {
    owner[i] = null;
    if (deliveries[i] >= settings.deliveryCountLimit()) {
      state[i] = ARCHIVED;
      return false;
    }
    state[i] = AVAILABLE;
    return true;
  }

  // ------------------------------------------------------------------- window and persistence

  private long firstAvailable() {
    for (long o = start; o < end; o++) {
      if (state[index(o)] == AVAILABLE) {
        return o;
      }
    }
    return end;
  }

  private int index(long offset) {
    return (int) (offset - base);
  }

  /** Extends the window to {@code offset} (== end) as AVAILABLE, never delivered. */
  private void track(long offset) {
    if (offset != end) {
      throw new IllegalStateException("Tracking " + offset + " with end " + end);
    }
    int i = index(offset);
    if (i >= state.length) {
      int live = (int) (end - start);
      int shift = (int) (start - base);
      int capacity = Math.max(64, Integer.highestOneBit(Math.max(1, live + 1)) * 4);
      byte[] s = new byte[capacity];
      short[] d = new short[capacity];
      String[] w = new String[capacity];
      int[] a = new int[capacity];
      System.arraycopy(state, shift, s, 0, live);
      System.arraycopy(deliveries, shift, d, 0, live);
      System.arraycopy(owner, shift, w, 0, live);
      System.arraycopy(acquisition, shift, a, 0, live);
      state = s;
      deliveries = d;
      owner = w;
      acquisition = a;
      base = start;
      i = index(offset);
    }
    state[i] = AVAILABLE;
    deliveries[i] = 0;
    owner[i] = null;
    acquisition[i] = 0;
    end = offset + 1;
  }

  private void advanceStart() {
    while (start < end) {
      byte s = state[index(start)];
      if (s != ACKNOWLEDGED && s != ARCHIVED) {
        break;
      }
      start++;
    }
    if (start == end) {
      base = start; // nothing in flight: the arrays restart at index 0
      Arrays.fill(owner, null);
    }
  }

  /** Writes the current state (called holding this partition's lock, so writes are in order). */
  private CompletableFuture<Void> persist() {
    if (retired) {
      return CompletableFuture.completedFuture(null);
    }
    return writer.write(snapshot());
  }

  /**
   * Writes a change no request waits for (a release or lock expiry): if it is lost, the records are
   * simply available again after a failover, which they are anyway.
   */
  private void persistInBackground() {
    persist()
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                writeError(failure);
              }
            });
  }

  /** The durable form of the current state. */
  synchronized ShareStateSnapshot snapshot() {
    List<ShareStateSnapshot.Run> runs = new ArrayList<>();
    long runStart = -1;
    byte runState = 0;
    short runCount = 0;
    for (long o = start; o < end; o++) {
      int i = index(o);
      byte s = state[i] == ACQUIRED ? AVAILABLE : state[i];
      short d = deliveries[i];
      if (runStart >= 0 && (s != runState || d != runCount)) {
        runs.add(new ShareStateSnapshot.Run(runStart, o - 1, runState, runCount));
        runStart = -1;
      }
      if (runStart < 0) {
        runStart = o;
        runState = s;
        runCount = d;
      }
    }
    if (runStart >= 0) {
      runs.add(new ShareStateSnapshot.Run(runStart, end - 1, runState, runCount));
    }
    return new ShareStateSnapshot(start, runs);
  }
}
