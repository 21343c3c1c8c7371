package dev.ferry.storage.producer;

import dev.ferry.storage.segment.BatchHeader;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.segment.LogSegments;
import dev.ferry.storage.txn.AbortedTxn;
import dev.ferry.storage.txn.LogTransactions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent-producer state of one partition: per producer id its epoch and the metadata of its
 * last {@value #MAX_CACHED_BATCHES} batches, enough to recognise a retried batch and to reject a
 * sequence gap; for transactional producers also where the open transaction began (the first offset
 * of its first batch here) and the coordinator epoch of the last marker.
 *
 * <p>Not thread-safe: the owning log calls it under its append lock. The state is persisted as
 * {@code <offset>.snapshot} files (state of every batch below that offset; format and files in
 * {@link ProducerSnapshots}) at segment roll and on close; on load the newest snapshot is read and
 * later batches are replayed from the log.
 */
public final class ProducerStateManager {

  private static final Logger log = LoggerFactory.getLogger(ProducerStateManager.class);

  static final int MAX_CACHED_BATCHES = 5;
  static final String SNAPSHOT_SUFFIX = ProducerSnapshots.SUFFIX;

  /** Where one batch of a producer landed. */
  public record BatchMetadata(
      int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {}

  /** A producer's epoch and its most recent batches, oldest first. */
  public static final class ProducerEntry {
    final long producerId;
    short epoch;
    final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(MAX_CACHED_BATCHES);

    /** First offset of the open transaction's first batch here; -1 when none is open. */
    long currentTxnFirstOffset = -1;

    /** Coordinator epoch of the latest marker; an older coordinator's marker is refused. */
    int coordinatorEpoch = -1;

    /**
     * Offset of the latest marker, so a producer with only a marker left is not forgotten early.
     */
    long lastMarkerOffset = -1;

    ProducerEntry(long producerId, short epoch) {
      this.producerId = producerId;
      this.epoch = epoch;
    }

    public int lastSeq() {
      BatchMetadata last = batches.peekLast();
      return last == null ? RecordBatch.NO_SEQUENCE : last.lastSeq();
    }

    long lastOffset() {
      BatchMetadata last = batches.peekLast();
      return Math.max(last == null ? -1 : last.lastOffset(), lastMarkerOffset);
    }

    long lastDataOffset() {
      BatchMetadata last = batches.peekLast();
      return last == null ? -1 : last.lastOffset();
    }

    void add(short batchEpoch, BatchMetadata batch) {
      if (batchEpoch != epoch) {
        epoch = batchEpoch;
        batches.clear();
      }
      if (batches.size() == MAX_CACHED_BATCHES) {
        batches.removeFirst();
      }
      batches.addLast(batch);
    }

    BatchMetadata findDuplicate(int firstSeq, int lastSeq) {
      for (BatchMetadata b : batches) {
        if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) {
          return b;
        }
      }
      return null;
    }
  }

  /** The producer fields of one batch of an append, checked but not yet applied. */
  record Pending(int batchIndex, long producerId, short epoch, int firstSeq, int lastSeq) {}

  /**
   * Outcome of {@link #check}: the original placement of a retried batch ({@code duplicate}), or a
   * retried batch older than the cache ({@code duplicateBefore} &ge; 0: it was written at or before
   * that offset, exactly where is no longer known), or the updates to apply once the append is
   * written.
   */
  public record Check(BatchMetadata duplicate, long duplicateBefore, List<Pending> pending) {}

  private static final Check NOTHING = new Check(null, -1, List.of());

  /** A transaction whose marker was just applied. */
  public record CompletedTxn(
      long producerId, long firstOffset, long markerOffset, boolean aborted) {}

  private final Path dir;
  private final Map<Long, ProducerEntry> producers = new HashMap<>();

  /** Open transactions: first offset → producer id. Its first key bounds the last stable offset. */
  private final TreeMap<Long, Long> ongoing = new TreeMap<>();

  public ProducerStateManager(Path dir) {
    this.dir = dir;
  }

  /**
   * Checks the idempotent batches of one append against the known state, taking earlier batches of
   * the same append into account.
   *
   * <p>A retry whose batch has left the cache of the last {@value #MAX_CACHED_BATCHES} batches is
   * still recognised: within an epoch the log holds every sequence from 0 up to the last one
   * without a gap, so a batch wholly below the next expected sequence was written before. This
   * happens when a client's batches straddle a leader change: requests still waiting at the old
   * leader are retried after newer batches already landed at the new one. Kafka answers
   * OUT_OF_ORDER_SEQUENCE there, which the client takes as a gap: it stalls the partition until the
   * delivery timeout and then bumps its epoch and resends, writing the records twice.
   *
   * @throws InvalidProducerEpochException a batch from an older epoch than known
   * @throws OutOfOrderSequenceException a sequence gap, or a new producer/epoch not starting at 0
   */
  public Check check(List<MutableRecordBatch> batches) {
    List<Pending> pending = null;
    for (int i = 0; i < batches.size(); i++) {
      MutableRecordBatch b = batches.get(i);
      if (!b.hasProducerId()) {
        continue;
      }
      long pid = b.producerId();
      short epoch = b.producerEpoch();
      int firstSeq = b.baseSequence();
      int lastSeq = b.lastSequence();
      Pending earlier = pending == null ? null : lastPendingOf(pending, pid);
      ProducerEntry entry = producers.get(pid);
      boolean known = earlier != null || entry != null;
      short knownEpoch = earlier != null ? earlier.epoch() : entry != null ? entry.epoch : 0;
      int knownLastSeq =
          earlier != null
              ? earlier.lastSeq()
              : entry != null ? entry.lastSeq() : RecordBatch.NO_SEQUENCE;
      if (known && epoch < knownEpoch) {
        throw new InvalidProducerEpochException(
            "Producer "
                + pid
                + " epoch "
                + epoch
                + " is older than the current epoch "
                + knownEpoch);
      }
      if (firstSeq == RecordBatch.NO_SEQUENCE && b.isTransactional()) {
        // A coordinator's own transactional write (offsets committed in a transaction): no
        // sequence to check, only the epoch above.
        if (pending == null) {
          pending = new ArrayList<>(1);
        }
        pending.add(new Pending(i, pid, epoch, firstSeq, firstSeq));
        continue;
      }
      if (earlier == null && entry != null && epoch == entry.epoch) {
        BatchMetadata dup = entry.findDuplicate(firstSeq, lastSeq);
        if (dup != null) {
          return new Check(dup, -1, List.of());
        }
        if (entry.lastSeq() != RecordBatch.NO_SEQUENCE
            && precedes(firstSeq, lastSeq, nextSequence(entry.lastSeq()))) {
          return new Check(null, entry.lastDataOffset(), List.of());
        }
      }
      if (!known) {
        if (firstSeq != 0) {
          throw new OutOfOrderSequenceException(
              "Unknown producer " + pid + " must start at sequence 0, got " + firstSeq);
        }
      } else if (epoch != knownEpoch) {
        if (firstSeq != 0) {
          throw new OutOfOrderSequenceException(
              "Producer " + pid + " epoch " + epoch + " must start at sequence 0, got " + firstSeq);
        }
      } else {
        int expected = knownLastSeq == RecordBatch.NO_SEQUENCE ? 0 : nextSequence(knownLastSeq);
        if (firstSeq != expected) {
          throw new OutOfOrderSequenceException(
              "Producer "
                  + pid
                  + " epoch "
                  + epoch
                  + ": expected sequence "
                  + expected
                  + ", got "
                  + firstSeq);
        }
      }
      if (pending == null) {
        pending = new ArrayList<>(1);
      }
      pending.add(new Pending(i, pid, epoch, firstSeq, lastSeq));
    }
    return pending == null ? NOTHING : new Check(null, -1, pending);
  }

  private static Pending lastPendingOf(List<Pending> pending, long pid) {
    for (int i = pending.size() - 1; i >= 0; i--) {
      if (pending.get(i).producerId() == pid) {
        return pending.get(i);
      }
    }
    return null;
  }

  static int nextSequence(int seq) {
    return seq == Integer.MAX_VALUE ? 0 : seq + 1;
  }

  /** Sequences run from 0 to Integer.MAX_VALUE, then wrap to 0. */
  private static final long SEQUENCE_SPACE = Integer.MAX_VALUE + 1L;

  /**
   * Whether the batch [firstSeq, lastSeq] lies wholly before {@code expected}, at most half the
   * sequence space back (so that wrapping cannot make a gap ahead look like a retry).
   */
  public static boolean precedes(int firstSeq, int lastSeq, int expected) {
    long firstBehind = Math.floorMod((long) expected - firstSeq, SEQUENCE_SPACE);
    long lastBehind = Math.floorMod((long) expected - lastSeq, SEQUENCE_SPACE);
    return lastBehind >= 1 && firstBehind >= lastBehind && firstBehind <= SEQUENCE_SPACE / 2;
  }

  /** Records the checked batches once written (offsets are assigned by then). */
  public void apply(List<Pending> pending, List<MutableRecordBatch> batches) {
    for (Pending p : pending) {
      MutableRecordBatch b = batches.get(p.batchIndex());
      update(
          p.producerId(),
          p.epoch(),
          new BatchMetadata(
              p.firstSeq(), p.lastSeq(), b.baseOffset(), b.lastOffset(), b.maxTimestamp()));
      if (b.isTransactional()) {
        beginTxn(p.producerId(), b.baseOffset());
      }
    }
  }

  private void beginTxn(long pid, long firstOffset) {
    ProducerEntry e = producers.get(pid);
    if (e.currentTxnFirstOffset < 0) {
      e.currentTxnFirstOffset = firstOffset;
      ongoing.put(firstOffset, pid);
    }
  }

  /** Whether the producer has a transaction open here at this epoch. */
  public boolean hasOngoingTxn(long producerId, short epoch) {
    ProducerEntry e = producers.get(producerId);
    return e != null && e.epoch == epoch && e.currentTxnFirstOffset >= 0;
  }

  /**
   * Checks a marker from the coordinator before it is written.
   *
   * @throws InvalidProducerEpochException the marker's epoch is older than the producer's
   * @throws TransactionCoordinatorFencedException an older coordinator than the last marker's
   */
  public void checkMarker(long producerId, short epoch, int coordinatorEpoch) {
    ProducerEntry e = producers.get(producerId);
    if (e == null) {
      return;
    }
    if (epoch < e.epoch) {
      throw new InvalidProducerEpochException(
          "Marker for producer " + producerId + " at epoch " + epoch + " < current " + e.epoch);
    }
    if (coordinatorEpoch < e.coordinatorEpoch) {
      throw new TransactionCoordinatorFencedException(
          "Marker for producer "
              + producerId
              + " from coordinator epoch "
              + coordinatorEpoch
              + " < "
              + e.coordinatorEpoch);
    }
  }

  /**
   * Applies a written marker: the producer's open transaction (if any) ends at {@code
   * markerOffset}; a higher epoch (transactions v2 bump it at every end, fencing bumps it too)
   * becomes the producer's, and its sequence restarts. Returns the ended transaction, or null if
   * the producer had none open here.
   */
  public CompletedTxn applyMarker(
      long producerId, short epoch, int coordinatorEpoch, boolean abort, long markerOffset) {
    ProducerEntry e = producers.computeIfAbsent(producerId, id -> new ProducerEntry(id, epoch));
    if (epoch > e.epoch) {
      e.epoch = epoch;
      e.batches.clear();
    }
    e.coordinatorEpoch = Math.max(e.coordinatorEpoch, coordinatorEpoch);
    e.lastMarkerOffset = markerOffset;
    long first = e.currentTxnFirstOffset;
    if (first < 0) {
      return null;
    }
    e.currentTxnFirstOffset = -1;
    ongoing.remove(first);
    return new CompletedTxn(producerId, first, markerOffset, abort);
  }

  /** First offset of the oldest open transaction, or -1 if none is open. */
  public long firstOngoingOffset() {
    return ongoing.isEmpty() ? -1 : ongoing.firstKey();
  }

  /** Open transactions, first offset → producer id (a copy). */
  public TreeMap<Long, Long> ongoingTransactions() {
    return new TreeMap<>(ongoing);
  }

  /**
   * Records batches replicated from the leader, without sequence or epoch checks: the leader
   * accepted them in this order. Keeps the state a new leader needs to recognise retries.
   */
  public void applyAsFollower(List<MutableRecordBatch> batches) {
    for (MutableRecordBatch b : batches) {
      applyAsFollower(b);
    }
  }

  /** As above for one data batch (markers are applied by the log, which also indexes aborts). */
  public void applyAsFollower(RecordBatch b) {
    if (b.isControlBatch() || !b.hasProducerId()) {
      return;
    }
    update(
        b.producerId(),
        b.producerEpoch(),
        new BatchMetadata(
            b.baseSequence(), b.lastSequence(), b.baseOffset(), b.lastOffset(), b.maxTimestamp()));
    if (b.isTransactional()) {
      beginTxn(b.producerId(), b.baseOffset());
    }
  }

  /** Rebuilds state from a batch header read back from the log (no checks: it was accepted). */
  public void replay(ByteBuffer h, int at) {
    long pid = BatchHeader.producerId(h, at);
    if (pid == RecordBatch.NO_PRODUCER_ID || BatchHeader.isControl(h, at)) {
      return; // markers: see applyMarker, called by the log with the marker's type
    }
    int delta = BatchHeader.lastOffsetDelta(h, at);
    int firstSeq = BatchHeader.baseSequence(h, at);
    long base = BatchHeader.baseOffset(h, at);
    update(
        pid,
        BatchHeader.producerEpoch(h, at),
        new BatchMetadata(
            firstSeq,
            BatchHeader.lastSequence(firstSeq, delta),
            base,
            base + delta,
            BatchHeader.maxTimestamp(h, at)));
    if (BatchHeader.isTransactional(h, at)) {
      beginTxn(pid, base);
    }
  }

  /**
   * Rebuilds the state of a loaded or truncated log: the newest snapshot at or below {@code
   * logEndOffset}, then a replay of the batch headers after it; producers wholly below {@code
   * logStartOffset} are dropped. Returns the number of batch headers replayed.
   */
  public long rebuild(LogSegments segments, long logEndOffset, long logStartOffset)
      throws IOException {
    deleteSnapshotsAbove(logEndOffset);
    long snapshot = loadLatestSnapshot(logEndOffset);
    long from = Math.max(snapshot, segments.firstBaseOffset());
    long[] replayed = {0};
    for (LogSegment s : segments.from(from)) {
      // Aborts from here on are indexed again as their markers are replayed.
      s.txnIndex().truncateTo(from);
      s.forEachBatchHeader(
          from,
          (h, at, pos, size) -> {
            if (BatchHeader.isControl(h, at)
                && BatchHeader.producerId(h, at) != RecordBatch.NO_PRODUCER_ID) {
              try {
                replayMarker(s, s.readBatch(pos, size));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            } else {
              replay(h, at);
            }
            replayed[0]++;
          });
    }
    pruneBefore(logStartOffset);
    return replayed[0];
  }

  /** Replays a marker read back from the log; an abort is indexed in its segment again. */
  private void replayMarker(LogSegment s, ByteBuffer batchBytes) throws IOException {
    for (RecordBatch b : MemoryRecords.readableRecords(batchBytes).batches()) {
      LogTransactions.Marker m = LogTransactions.parseMarker(b);
      if (m == null) {
        continue;
      }
      CompletedTxn ended =
          applyMarker(
              b.producerId(), b.producerEpoch(), m.coordinatorEpoch(), m.abort(), b.baseOffset());
      if (ended != null && ended.aborted()) {
        // The LSO at the time is not known any more; the transaction's first offset bounds it.
        s.txnIndex()
            .append(
                new AbortedTxn(
                    ended.producerId(),
                    ended.firstOffset(),
                    ended.markerOffset(),
                    ended.firstOffset()));
      }
    }
  }

  private void update(long pid, short epoch, BatchMetadata batch) {
    producers.computeIfAbsent(pid, id -> new ProducerEntry(id, epoch)).add(epoch, batch);
  }

  /** Forgets producers whose last batch lies wholly below {@code logStartOffset}. */
  public void pruneBefore(long logStartOffset) {
    producers
        .values()
        .removeIf(e -> e.lastOffset() < logStartOffset && e.currentTxnFirstOffset < 0);
  }

  public void clear() {
    producers.clear();
    ongoing.clear();
  }

  int producerCount() {
    return producers.size();
  }

  /** The last offset of each known producer's latest batch. */
  public Set<Long> lastBatchOffsets() {
    Set<Long> out = new HashSet<>();
    for (ProducerEntry e : producers.values()) {
      if (e.lastDataOffset() >= 0) {
        out.add(e.lastDataOffset());
      }
    }
    return out;
  }

  public ProducerEntry entry(long producerId) {
    return producers.get(producerId);
  }

  static Path snapshotFile(Path dir, long offset) {
    return ProducerSnapshots.file(dir, offset);
  }

  /** Writes the current state as {@code <offset>.snapshot} (temp file, fsync, atomic rename). */
  public void takeSnapshot(long offset) throws IOException {
    ProducerSnapshots.write(dir, offset, producers.values());
  }

  /**
   * A snapshot at {@code offset} unless it would add nothing (Kafka's rule at close): one at that
   * offset exists already (nothing was appended since it was taken), or the log is empty and no
   * producer is known. A clean stop of 10,000 mostly idle logs then writes and fsyncs no snapshot
   * for most of them. Returns whether one was written.
   */
  public boolean takeSnapshotIfNew(long offset) throws IOException {
    if ((offset == 0 && producers.isEmpty()) || Files.exists(ProducerSnapshots.file(dir, offset))) {
      return false;
    }
    takeSnapshot(offset);
    return true;
  }

  /** Snapshot files present, by offset. */
  TreeMap<Long, Path> listSnapshots() throws IOException {
    return ProducerSnapshots.list(dir);
  }

  /**
   * Replaces the state with the newest readable snapshot at or below {@code maxOffset}; corrupt
   * snapshots are deleted with a warning. Returns the snapshot's offset, or -1 if none (state then
   * empty).
   */
  public long loadLatestSnapshot(long maxOffset) throws IOException {
    clear();
    TreeMap<Long, Path> snapshots = listSnapshots();
    for (Map.Entry<Long, Path> e : snapshots.headMap(maxOffset, true).descendingMap().entrySet()) {
      List<ProducerEntry> entries;
      try {
        entries = ProducerSnapshots.read(e.getValue());
      } catch (IOException | RuntimeException ex) {
        log.warn("Deleting unreadable producer snapshot {}: {}", e.getValue(), ex.toString());
        Files.deleteIfExists(e.getValue());
        continue;
      }
      for (ProducerEntry entry : entries) {
        if (entry.currentTxnFirstOffset >= 0) {
          ongoing.put(entry.currentTxnFirstOffset, entry.producerId);
        }
        producers.put(entry.producerId, entry);
      }
      return e.getKey();
    }
    return -1;
  }

  /** Deletes snapshots taken after {@code offset} (the log was truncated below them). */
  public void deleteSnapshotsAbove(long offset) throws IOException {
    ProducerSnapshots.deleteAbove(dir, offset);
  }

  /** Deletes snapshots older than {@code offset}, always keeping the newest one. */
  public void deleteSnapshotsBelow(long offset) throws IOException {
    ProducerSnapshots.deleteBelow(dir, offset);
  }

  public List<ActiveProducer> activeProducers() {
    List<ActiveProducer> out = new ArrayList<>(producers.size());
    for (ProducerEntry e : producers.values()) {
      BatchMetadata last = e.batches.peekLast();
      out.add(
          new ActiveProducer(
              e.producerId,
              e.epoch,
              e.lastSeq(),
              last == null ? -1 : last.timestamp(),
              e.coordinatorEpoch,
              e.currentTxnFirstOffset));
    }
    return out;
  }

  /** Producer ids currently tracked (for tests and diagnostics). */
  public List<Long> producerIds() {
    List<Long> ids = new ArrayList<>(producers.keySet());
    Collections.sort(ids);
    return ids;
  }
}
