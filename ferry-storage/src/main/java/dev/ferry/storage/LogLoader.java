package dev.ferry.storage;

import dev.ferry.storage.checkpoint.OffsetCheckpointFile;
import dev.ferry.storage.epoch.LeaderEpochCache;
import dev.ferry.storage.producer.ProducerStateManager;
import dev.ferry.storage.segment.BatchHeader;
import dev.ferry.storage.segment.DirSync;
import dev.ferry.storage.segment.LocalLog;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.segment.LogSegments;
import dev.ferry.storage.segment.SegmentFiles;
import dev.ferry.storage.segment.SegmentScanner;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens one partition directory: its segments, then the state rebuilt from them (producer state,
 * leader epochs) for the {@link PartitionLog} it returns. After a clean stop it trusts the files
 * and reads only index tails; after an unclean stop it verifies every batch from the recovery point
 * on, truncates at the first partial or corrupt batch and drops the segments after it. Indexes that
 * are missing or inconsistent are rebuilt either way.
 */
final class LogLoader {

  private static final Logger log = LoggerFactory.getLogger(LogLoader.class);

  /**
   * The loaded segments (the last one active) and what loading cost.
   *
   * @param recoveredSegments segments that were fully verified and re-indexed
   * @param recoveredBatches batches whose CRC was checked during that verification
   */
  record Loaded(
      ConcurrentSkipListMap<Long, LogSegment> segments,
      int recoveredSegments,
      long recoveredBatches,
      boolean truncated) {}

  private LogLoader() {}

  /**
   * Opens a partition log reading its recovery point, log start offset and high watermark from the
   * checkpoint files in the log dir (the parent of {@code dir}), if present: see {@link
   * PartitionLog#open(Path, LogConfig, Time, boolean)}.
   */
  static PartitionLog open(Path dir, LogConfig config, Time time, boolean cleanShutdown) {
    TopicPartition tp = PartitionLog.parseTopicPartition(dir.getFileName().toString());
    Path logDir = dir.toAbsolutePath().getParent();
    Long rp =
        new OffsetCheckpointFile(logDir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT))
            .read()
            .get(tp);
    Long lso =
        new OffsetCheckpointFile(logDir.resolve(LogManager.LOG_START_OFFSET_CHECKPOINT))
            .read()
            .get(tp);
    Long hw =
        new OffsetCheckpointFile(logDir.resolve(LogManager.REPLICATION_OFFSET_CHECKPOINT))
            .read()
            .get(tp);
    return open(
        dir,
        config,
        time,
        cleanShutdown,
        rp == null ? 0 : rp,
        lso == null ? 0 : lso,
        hw == null ? 0 : hw);
  }

  /**
   * Opens a partition log: loads (and if need be recovers) its segments, makes recovered data
   * durable, rebuilds the producer state and the leader-epoch cache, and clamps the log start
   * offset and high watermark into the loaded log.
   */
  static PartitionLog open(
      Path dir,
      LogConfig config,
      Time time,
      boolean cleanShutdown,
      long recoveryPoint,
      long logStartOffset,
      long highWatermark) {
    TopicPartition tp = PartitionLog.parseTopicPartition(dir.getFileName().toString());
    Loaded loaded;
    try {
      loaded = load(dir, config, cleanShutdown, recoveryPoint, logStartOffset);
    } catch (IOException e) {
      throw new KafkaStorageException("Failed to load log " + dir + ": " + e.getMessage(), e);
    }
    LogSegments segs = new LogSegments(loaded.segments());
    try {
      long leo = segs.active().nextOffset();
      long start = Math.min(Math.max(logStartOffset, segs.firstBaseOffset()), leo);
      long rp = cleanShutdown ? leo : Math.min(recoveryPoint, leo);
      if (loaded.recoveredSegments() > 0) {
        // Recovery read the data through the page cache; make it durable before trusting it.
        for (LogSegment s : segs.all()) {
          if (s.nextOffset() > rp || s == segs.active()) {
            s.flush();
          }
        }
        rp = leo;
      }
      ProducerStateManager psm = new ProducerStateManager(dir);
      long replayed = psm.rebuild(segs, leo, start);
      LeaderEpochCache epochs = LeaderEpochCache.loadFor(dir, segs, leo, start);
      long hw = Math.max(start, Math.min(highWatermark, leo));
      PartitionLog.LoadStats stats =
          new PartitionLog.LoadStats(
              loaded.recoveredSegments(), loaded.recoveredBatches(), replayed, loaded.truncated());
      LocalLog local = new LocalLog(dir, tp, config, time, segs, rp);
      PartitionLog partitionLog = new PartitionLog(local, time, psm, epochs, stats, start, hw);
      log.info(
          "Loaded log {} (start {}, end {}, {} segments, {} clean shutdown, {} segments recovered)",
          dir,
          start,
          leo,
          segs.count(),
          cleanShutdown ? "after" : "without",
          loaded.recoveredSegments());
      return partitionLog;
    } catch (IOException | RuntimeException e) {
      for (LogSegment s : segs.all()) {
        s.closeQuietly();
      }
      if (e instanceof IOException io) {
        throw new KafkaStorageException("Failed to load log " + dir + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  static Loaded load(
      Path dir, LogConfig config, boolean cleanShutdown, long recoveryPoint, long logStartOffset)
      throws IOException {
    Files.createDirectories(dir);
    List<Long> bases = cleanDirectory(dir);
    ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    Set<Long> recovered = new HashSet<>();
    long[] batches = {0};
    boolean truncated = false;
    int maxIndexSize = config.segmentIndexBytes();
    try {
      for (int i = 0; i < bases.size(); i++) {
        long base = bases.get(i);
        if (truncated) {
          log.warn(
              "Deleting segment {} of {}: it follows a truncated segment",
              SegmentFiles.fileName(base, LogSegment.LOG_SUFFIX),
              dir);
          deleteSegmentFiles(dir, base);
          continue;
        }
        boolean last = i == bases.size() - 1;
        LogSegment segment = LogSegment.open(dir, base, maxIndexSize, last);
        segments.put(base, segment);
        // A segment holds unflushed data if any of its offsets is at or above the recovery point.
        boolean unflushed = last || bases.get(i + 1) > recoveryPoint;
        boolean needsRecovery = !cleanShutdown && unflushed;
        if (!needsRecovery && !segment.loadClean()) {
          needsRecovery = true;
        }
        if (needsRecovery) {
          recovered.add(base);
          if (segment.recover(config.indexIntervalBytes(), maxIndexSize, batches) > 0) {
            truncated = true;
          }
        }
      }
      // Recovered segments were opened writable; rolled ones go back to trimmed indexes, and a
      // formerly rolled segment that is now last (later ones deleted) becomes writable again.
      LogSegment lastSegment = segments.isEmpty() ? null : segments.lastEntry().getValue();
      for (LogSegment s : segments.values()) {
        if (s != lastSegment && recovered.contains(s.baseOffset())) {
          s.onRoll();
        }
      }
      if (lastSegment == null) {
        long base = Math.max(0, logStartOffset);
        segments.put(base, LogSegment.create(dir, base, maxIndexSize));
      } else {
        lastSegment.onReactivate(maxIndexSize);
      }
    } catch (IOException | RuntimeException e) {
      for (LogSegment s : segments.values()) {
        s.closeQuietly();
      }
      throw e;
    }
    return new Loaded(segments, recovered.size(), batches[0], truncated);
  }

  /**
   * Removes leftovers of interrupted operations (files marked deleted, temp files, segments the
   * cleaner had not finished, indexes without a log), completes interrupted segment swaps, and
   * returns the base offsets of the log files, sorted.
   */
  private static List<Long> cleanDirectory(Path dir) throws IOException {
    List<Long> bases = new ArrayList<>();
    List<Path> indexes = new ArrayList<>();
    List<Long> swaps = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path p : files) {
        String name = p.getFileName().toString();
        if (name.endsWith(LogSegment.DELETED_SUFFIX)
            || name.endsWith(LogSegment.CLEANED_SUFFIX)
            || name.endsWith(".tmp")) {
          Files.deleteIfExists(p);
        } else if (name.endsWith(LogSegment.LOG_SUFFIX + LogSegment.SWAP_SUFFIX)) {
          Long base = parseBase(name, LogSegment.LOG_SUFFIX + LogSegment.SWAP_SUFFIX);
          if (base != null) {
            swaps.add(base);
          }
        } else if (name.endsWith(LogSegment.LOG_SUFFIX)) {
          Long base = parseBase(name, LogSegment.LOG_SUFFIX);
          if (base != null) {
            bases.add(base);
          }
        } else if (name.endsWith(LogSegment.INDEX_SUFFIX)
            || name.endsWith(LogSegment.TIME_INDEX_SUFFIX)) {
          indexes.add(p);
        }
      }
    }
    for (long swap : swaps) {
      completeSwap(dir, swap, bases);
    }
    // Index files of a swap whose log file was already renamed: the log is complete; its index
    // may not be, so it is rebuilt.
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(dir, "*" + LogSegment.SWAP_SUFFIX)) {
      for (Path p : files) {
        log.info("Deleting index file {} of a completed swap; it will be rebuilt", p);
        Files.deleteIfExists(p);
      }
    }
    Set<Long> known = new HashSet<>(bases);
    for (Path p : indexes) {
      String name = p.getFileName().toString();
      String suffix =
          name.endsWith(LogSegment.TIME_INDEX_SUFFIX)
              ? LogSegment.TIME_INDEX_SUFFIX
              : LogSegment.INDEX_SUFFIX;
      Long base = parseBase(name, suffix);
      if (base == null || !known.contains(base)) {
        log.info("Deleting orphaned index file {}", p);
        Files.deleteIfExists(p);
      }
    }
    bases.sort(null);
    return bases;
  }

  /**
   * Finishes a segment swap a crash interrupted: the {@code .swap} segment (a cleaned copy of
   * consecutive segments starting at the same base offset) replaces every segment whose base offset
   * it covers, then takes its final name. Its indexes are rebuilt at load. Updates {@code bases} in
   * place.
   */
  private static void completeSwap(Path dir, long base, List<Long> bases) throws IOException {
    Path swapLog = SegmentFiles.withSuffix(SegmentFiles.logFile(dir, base), LogSegment.SWAP_SUFFIX);
    long last;
    try (FileChannel ch = FileChannel.open(swapLog, StandardOpenOption.READ)) {
      long[] lastOffset = {base};
      SegmentScanner.scanHeaders(
          ch,
          0,
          (int) Math.min(Integer.MAX_VALUE, ch.size()),
          -1,
          (h, at, pos, size) -> lastOffset[0] = BatchHeader.lastOffset(h, at));
      last = lastOffset[0];
    }
    List<Long> covered = new ArrayList<>();
    for (long b : bases) {
      if (b >= base && b <= last) {
        covered.add(b);
      }
    }
    for (long b : covered) {
      deleteSegmentFiles(dir, b);
      bases.remove(Long.valueOf(b));
    }
    Files.deleteIfExists(SegmentFiles.indexFile(dir, base));
    Files.deleteIfExists(SegmentFiles.timeIndexFile(dir, base));
    Files.deleteIfExists(
        SegmentFiles.withSuffix(SegmentFiles.indexFile(dir, base), LogSegment.SWAP_SUFFIX));
    Files.deleteIfExists(
        SegmentFiles.withSuffix(SegmentFiles.timeIndexFile(dir, base), LogSegment.SWAP_SUFFIX));
    Files.move(swapLog, SegmentFiles.logFile(dir, base));
    DirSync.fsync(dir);
    bases.add(base);
    log.warn(
        "Completed an interrupted swap of a cleaned segment in {}: segment {} replaces {}",
        dir,
        base,
        covered);
  }

  private static Long parseBase(String name, String suffix) {
    try {
      return Long.parseLong(name.substring(0, name.length() - suffix.length()));
    } catch (NumberFormatException e) {
      log.warn("Ignoring unexpected file {}", name);
      return null;
    }
  }

  static void deleteSegmentFiles(Path dir, long base) throws IOException {
    Files.deleteIfExists(SegmentFiles.logFile(dir, base));
    Files.deleteIfExists(SegmentFiles.indexFile(dir, base));
    Files.deleteIfExists(SegmentFiles.timeIndexFile(dir, base));
  }
}
