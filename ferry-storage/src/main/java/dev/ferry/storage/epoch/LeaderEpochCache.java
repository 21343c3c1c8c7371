package dev.ferry.storage.epoch;

import dev.ferry.storage.EpochEndOffset;
import dev.ferry.storage.checkpoint.TextCheckpoint;
import dev.ferry.storage.segment.BatchHeader;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.segment.LogSegments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader-epoch cache of one partition: for each leader epoch that wrote to the log, the offset
 * of its first batch. Followers use it (through OffsetForLeaderEpoch) to find where their log
 * diverged from the leader's, and consumers to detect truncation.
 *
 * <p>Epochs and start offsets both strictly increase. The entries live in an immutable snapshot
 * behind a volatile, replaced on every change: changes are rare (one per leadership change, plus
 * truncation and retention) while {@link #latestEpoch} is read on every append and {@link
 * #endOffsetFor} by request threads without the log lock.
 *
 * <p>Mutations are not thread-safe: the owning log calls them under its lock and then {@link
 * #persist}s. The file is {@value #FILE_NAME} in the partition directory, in Kafka's text layout
 * (version {@code 0}, entry count, then {@code epoch startOffset} lines).
 */
public final class LeaderEpochCache {

  private static final Logger log = LoggerFactory.getLogger(LeaderEpochCache.class);

  public static final String FILE_NAME = "leader-epoch-checkpoint";

  private static final int UNDEFINED_EPOCH = -1;

  /** One epoch and the offset of its first batch. */
  public record EpochEntry(int epoch, long startOffset) {}

  /** Parallel arrays, index order = epoch order; never mutated once published. */
  private record Snapshot(int[] epochs, long[] startOffsets) {
    int size() {
      return epochs.length;
    }

    int latestEpoch() {
      return epochs.length == 0 ? UNDEFINED_EPOCH : epochs[epochs.length - 1];
    }
  }

  private static final Snapshot EMPTY = new Snapshot(new int[0], new long[0]);

  private final Path file;
  private volatile Snapshot snapshot = EMPTY;

  /** Whether the checkpoint file exists: read or written by this cache. Guarded by the log lock. */
  private boolean onDisk;

  public LeaderEpochCache(Path partitionDir) {
    this.file = partitionDir.resolve(FILE_NAME);
  }

  public Path file() {
    return file;
  }

  /**
   * Reads the leader-epoch checkpoint of {@code partitionDir} and fits it to the loaded log:
   * entries at or past the log end (their batches were lost in a crash or truncated away before the
   * file was rewritten) and below the log start are dropped. Without a readable checkpoint (a log
   * written before epochs were tracked) the cache is rebuilt from the batch headers, once: the
   * result is written out.
   */
  public static LeaderEpochCache loadFor(
      Path partitionDir, LogSegments segments, long logEndOffset, long logStartOffset)
      throws IOException {
    LeaderEpochCache cache = new LeaderEpochCache(partitionDir);
    boolean rebuild;
    try {
      cache.load();
      rebuild = false;
    } catch (NoSuchFileException e) {
      rebuild = true;
    } catch (IOException | RuntimeException e) {
      log.warn(
          "Unreadable leader-epoch checkpoint {} ({}); rebuilding it from the log",
          cache.file(),
          e.toString());
      cache.clear();
      rebuild = true;
    }
    boolean changed;
    if (rebuild) {
      long[] scanned = {0};
      for (LogSegment s : segments.from(logStartOffset)) {
        s.forEachBatchHeader(
            logStartOffset,
            (h, at, pos, size) -> {
              scanned[0]++;
              cache.assign(
                  BatchHeader.partitionLeaderEpoch(h, at),
                  Math.max(BatchHeader.baseOffset(h, at), logStartOffset));
            });
      }
      // An empty log needs no file yet (the first epoch writes it); a scanned one gets it now so
      // the next start does not scan again.
      changed = scanned[0] > 0 || Files.exists(cache.file());
      if (scanned[0] > 0) {
        log.info(
            "Rebuilt leader-epoch cache of {} from {} batch headers: {}",
            partitionDir,
            scanned[0],
            cache.entries());
      }
    } else {
      changed = cache.truncateFromEnd(logEndOffset);
      changed |= cache.truncateFromStart(logStartOffset);
    }
    if (changed) {
      cache.persist();
    }
    return cache;
  }

  /**
   * Replaces the entries with those of the checkpoint file.
   *
   * @throws java.nio.file.NoSuchFileException no checkpoint file (a log written before epochs were
   *     tracked, or an empty one): the caller rebuilds from the batches
   * @throws IllegalArgumentException the file is malformed or its entries are not increasing
   */
  public void load() throws IOException {
    List<String> lines = TextCheckpoint.read(file);
    int[] epochs = new int[lines.size()];
    long[] starts = new long[lines.size()];
    for (int i = 0; i < lines.size(); i++) {
      String[] parts = lines.get(i).split(" ");
      if (parts.length != 2) {
        throw new IllegalArgumentException("bad line '" + lines.get(i) + "'");
      }
      epochs[i] = Integer.parseInt(parts[0]);
      starts[i] = Long.parseLong(parts[1]);
      if (epochs[i] < 0
          || starts[i] < 0
          || (i > 0 && (epochs[i] <= epochs[i - 1] || starts[i] <= starts[i - 1]))) {
        throw new IllegalArgumentException("entries not increasing at '" + lines.get(i) + "'");
      }
    }
    snapshot = new Snapshot(epochs, starts);
    onDisk = true;
  }

  /**
   * Whether the checkpoint file exists (this cache read or wrote it). Without one, the next load
   * rebuilds the entries from the log's batch headers.
   */
  public boolean hasCheckpointFile() {
    return onDisk;
  }

  /** Writes the current entries to the checkpoint file (temp file, fsync, atomic rename). */
  public void persist() throws IOException {
    Snapshot s = snapshot;
    List<String> lines = new ArrayList<>(s.size());
    for (int i = 0; i < s.size(); i++) {
      lines.add(s.epochs()[i] + " " + s.startOffsets()[i]);
    }
    TextCheckpoint.write(file, lines);
    onDisk = true;
  }

  /** The latest epoch, or -1 if none. Allocation-free: read on every append. */
  public int latestEpoch() {
    return snapshot.latestEpoch();
  }

  /**
   * Records that {@code epoch} starts at {@code startOffset} if it is newer than every known epoch
   * (older or equal epochs are ignored: the first batch of an epoch is what counts). Negative
   * epochs (batches written without one) are never recorded. Returns whether an entry was added.
   */
  public boolean assign(int epoch, long startOffset) {
    Snapshot s = snapshot;
    if (epoch < 0 || epoch <= s.latestEpoch()) {
      return false;
    }
    int n = s.size();
    if (n > 0 && startOffset < s.startOffsets()[n - 1]) {
      // A newer epoch cannot start before an older one: the caller appends at the log end.
      throw new IllegalStateException(
          "Epoch "
              + epoch
              + " cannot start at "
              + startOffset
              + ", before epoch "
              + s.latestEpoch()
              + " at "
              + s.startOffsets()[n - 1]);
    }
    if (n > 0 && startOffset == s.startOffsets()[n - 1]) {
      // The previous epoch wrote nothing (e.g. a leader elected then replaced before appending):
      // it owns no offsets, so the newer epoch takes its place.
      int[] epochs = Arrays.copyOf(s.epochs(), n);
      long[] starts = Arrays.copyOf(s.startOffsets(), n);
      epochs[n - 1] = epoch;
      snapshot = new Snapshot(epochs, starts);
      return true;
    }
    int[] epochs = Arrays.copyOf(s.epochs(), n + 1);
    long[] starts = Arrays.copyOf(s.startOffsets(), n + 1);
    epochs[n] = epoch;
    starts[n] = startOffset;
    snapshot = new Snapshot(epochs, starts);
    return true;
  }

  /** Drops the entries starting at or after {@code endOffset} (the log was truncated to it). */
  public boolean truncateFromEnd(long endOffset) {
    Snapshot s = snapshot;
    int keep = 0;
    while (keep < s.size() && s.startOffsets()[keep] < endOffset) {
      keep++;
    }
    if (keep == s.size()) {
      return false;
    }
    snapshot = new Snapshot(Arrays.copyOf(s.epochs(), keep), Arrays.copyOf(s.startOffsets(), keep));
    return true;
  }

  /**
   * The log now starts at {@code startOffset}: drops the entries whose epochs end at or before it
   * and moves the start of the epoch covering it up to {@code startOffset}.
   */
  public boolean truncateFromStart(long startOffset) {
    Snapshot s = snapshot;
    int covering = -1;
    for (int i = 0; i < s.size() && s.startOffsets()[i] <= startOffset; i++) {
      covering = i;
    }
    if (covering < 0 || (covering == 0 && s.startOffsets()[0] == startOffset)) {
      return false;
    }
    int[] epochs = Arrays.copyOfRange(s.epochs(), covering, s.size());
    long[] starts = Arrays.copyOfRange(s.startOffsets(), covering, s.size());
    starts[0] = startOffset;
    snapshot = new Snapshot(epochs, starts);
    return true;
  }

  public boolean clear() {
    boolean changed = snapshot.size() > 0;
    snapshot = EMPTY;
    return changed;
  }

  /**
   * OffsetForLeaderEpoch. With the epochs known here:
   *
   * <ul>
   *   <li>{@code epoch} is the latest: ({@code epoch}, {@code logEndOffset}), the epoch is still
   *       being written;
   *   <li>an older epoch is known at or below {@code epoch} and a newer one above it: (largest
   *       known epoch at or below {@code epoch}, start offset of the first epoch above it);
   *   <li>{@code epoch} is below the first known one: ({@code epoch}, start offset of the first
   *       known epoch), as in Kafka — whatever the asker holds of that epoch is not here (retention
   *       removed it, or this log lost it: a power-lost leader that came back as the only ISR
   *       member with a log cut short), so it must truncate to where this log's history begins;
   *       answering "unknown" instead left such a follower keeping offsets past this log's end and
   *       asking again forever;
   *   <li>otherwise (no epochs, {@code epoch} above the latest, or negative): {@link
   *       EpochEndOffset#UNDEFINED}.
   * </ul>
   */
  public EpochEndOffset endOffsetFor(int epoch, long logEndOffset) {
    Snapshot s = snapshot;
    int n = s.size();
    if (epoch < 0 || n == 0 || epoch > s.latestEpoch()) {
      return EpochEndOffset.UNDEFINED;
    }
    if (epoch < s.epochs()[0]) {
      return new EpochEndOffset(epoch, s.startOffsets()[0]);
    }
    if (epoch == s.latestEpoch()) {
      return new EpochEndOffset(epoch, logEndOffset);
    }
    int floor = Arrays.binarySearch(s.epochs(), epoch);
    if (floor < 0) {
      floor = -floor - 2; // insertion point - 1: the largest epoch below the requested one
    }
    return new EpochEndOffset(s.epochs()[floor], s.startOffsets()[floor + 1]);
  }

  /** The entries, oldest first (diagnostics and tests). */
  public List<EpochEntry> entries() {
    Snapshot s = snapshot;
    List<EpochEntry> out = new ArrayList<>(s.size());
    for (int i = 0; i < s.size(); i++) {
      out.add(new EpochEntry(s.epochs()[i], s.startOffsets()[i]));
    }
    return out;
  }
}
