package dev.ferry.storage;

import dev.ferry.storage.checkpoint.OffsetCheckpointFile;
import dev.ferry.storage.cleaner.LogCleaner;
import dev.ferry.storage.segment.DirSync;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every partition log under {@code log.dirs}: loads them at start-up (recovering after an
 * unclean stop), creates and deletes them, and runs the retention and flush schedule on one
 * background thread.
 *
 * <p>Files per log dir: {@code .lock} (held with an OS file lock while running, so two brokers
 * cannot share a dir), {@code .ferry_cleanshutdown} (written by {@link #close}, removed at
 * start-up), {@code recovery-point-offset-checkpoint}, {@code log-start-offset-checkpoint}, {@code
 * replication-offset-checkpoint} (high watermarks) and {@code cleaner-offset-checkpoint} (how far
 * the {@link LogCleaner} got in each compacted log), rewritten every {@value
 * #CHECKPOINT_INTERVAL_MS} ms, when a log start offset moved or a cleaning pass ended, and on
 * close.
 *
 * <p>An I/O error in a log dir takes that dir offline (Kafka's log-dir failure semantics): the
 * error is reported to the {@link #dirFailureChannel()}, and the broker's handler calls {@link
 * #handleLogDirFailure}, which stops serving the dir's logs and tells it whether any dir is left.
 * New partitions then go to the live dirs only; the offline dir's checkpoints and clean-shutdown
 * marker are no longer written, so its next start recovers it.
 */
public final class LogManager implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(LogManager.class);

  static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
  static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
  static final String REPLICATION_OFFSET_CHECKPOINT = "replication-offset-checkpoint";
  static final String CLEANER_OFFSET_CHECKPOINT = "cleaner-offset-checkpoint";
  static final String CLEAN_SHUTDOWN_FILE = ".ferry_cleanshutdown";
  static final String LOCK_FILE = ".lock";
  static final String DELETE_DIR_SUFFIX = "-delete";

  /** How often flush.ms, rolled-segment flushes and delayed file deletions are checked. */
  static final long FLUSH_CHECK_INTERVAL_MS = 1_000;

  /** How often open descriptors are checked against the limit (warning, recovery). */
  static final long OPEN_FILES_CHECK_INTERVAL_MS = 5_000;

  /** How often the recovery-point, log-start and high-watermark checkpoints are rewritten. */
  static final long CHECKPOINT_INTERVAL_MS = 30_000;

  /** Kafka's default {@code num.recovery.threads.per.data.dir}. */
  public static final int DEFAULT_RECOVERY_THREADS_PER_DATA_DIR = 2;

  private final List<Path> logDirs;
  private final int recoveryThreadsPerDataDir;
  private final LogConfig defaults;
  private final long retentionCheckIntervalMs;
  private final LogCleaner.Config cleanerConfig;
  private final Time time;
  private volatile OpenFiles openFiles = OpenFiles.system();
  private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
  private final Map<Path, FileLock> dirLocks = new HashMap<>();
  private final List<PartitionLog> pendingDirDeletions = new ArrayList<>();
  private final LogDirFailureChannel dirFailures = new LogDirFailureChannel();

  /** Partitions whose log was in a dir that went offline: not served again until a restart. */
  private final Map<TopicPartition, Path> offlinePartitions = new ConcurrentHashMap<>();

  /** The logs of offline dirs, closed for appends; their files are released at close. */
  private final List<PartitionLog> offlineLogs = new ArrayList<>();

  private final Object checkpointLock = new Object();
  private volatile boolean checkpointsDirty;
  private ScheduledExecutorService scheduler;
  private LogCleaner cleaner;
  private boolean started;
  private boolean closed;

  /** Whether start-up read a checkpoint entry (one that may now be stale and must be rewritten). */
  private boolean checkpointEntriesRead;

  /**
   * @param logDirs the {@code log.dirs}; new partitions go to the dir with the fewest partitions
   * @param defaults broker-level log settings, used for partitions without overrides
   * @param retentionCheckIntervalMs {@code log.retention.check.interval.ms}
   */
  public LogManager(
      List<Path> logDirs, LogConfig defaults, long retentionCheckIntervalMs, Time time) {
    this(logDirs, defaults, retentionCheckIntervalMs, LogCleaner.Config.defaults(), time);
  }

  /**
   * @param cleanerConfig the log cleaner's settings ({@code log.cleaner.*}): it compacts the logs
   *     whose cleanup.policy includes compact
   */
  public LogManager(
      List<Path> logDirs,
      LogConfig defaults,
      long retentionCheckIntervalMs,
      LogCleaner.Config cleanerConfig,
      Time time) {
    this(
        logDirs,
        defaults,
        retentionCheckIntervalMs,
        cleanerConfig,
        DEFAULT_RECOVERY_THREADS_PER_DATA_DIR,
        time);
  }

  /**
   * @param recoveryThreadsPerDataDir {@code num.recovery.threads.per.data.dir}: how many logs of
   *     each log dir are loaded (and recovered) at once at start-up, and flushed and closed at once
   *     at shutdown
   */
  public LogManager(
      List<Path> logDirs,
      LogConfig defaults,
      long retentionCheckIntervalMs,
      LogCleaner.Config cleanerConfig,
      int recoveryThreadsPerDataDir,
      Time time) {
    if (recoveryThreadsPerDataDir < 1) {
      throw new IllegalArgumentException(
          "num.recovery.threads.per.data.dir must be at least 1, not " + recoveryThreadsPerDataDir);
    }
    this.recoveryThreadsPerDataDir = recoveryThreadsPerDataDir;
    if (logDirs.isEmpty()) {
      throw new IllegalArgumentException("log.dirs must name at least one directory");
    }
    this.logDirs = logDirs.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    this.defaults = defaults;
    this.retentionCheckIntervalMs = retentionCheckIntervalMs;
    this.cleanerConfig = cleanerConfig;
    this.time = time;
  }

  /**
   * Loads every partition directory found (recovering if the last stop was unclean) and starts the
   * background schedule. Idempotent. Logs are opened with the default config.
   */
  public void startup() {
    startup(tp -> defaults);
  }

  /**
   * Like {@link #startup()}, with each existing partition opened with {@code configFor}'s config
   * (topic-level overrides known to the broker).
   */
  public synchronized void startup(Function<TopicPartition, LogConfig> configFor) {
    if (started) {
      return;
    }
    if (closed) {
      throw new IllegalStateException("LogManager is closed");
    }
    List<Path> toDelete = new ArrayList<>();
    try {
      for (Path dir : logDirs) {
        Files.createDirectories(dir);
        lockDir(dir);
      }
      for (Path dir : logDirs) {
        loadDir(dir, configFor, toDelete);
      }
    } catch (IOException e) {
      releaseLocks();
      closeLoaded();
      throw new KafkaStorageException("Failed to load log dirs: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      releaseLocks();
      closeLoaded();
      throw e;
    }
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "ferry-log-scheduler");
              t.setDaemon(true);
              return t;
            });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    scheduler = executor;
    scheduler.scheduleWithFixedDelay(
        guarded("retention", this::enforceRetention),
        retentionCheckIntervalMs,
        retentionCheckIntervalMs,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        guarded("flush", this::flushTick),
        FLUSH_CHECK_INTERVAL_MS,
        FLUSH_CHECK_INTERVAL_MS,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        guarded("open files", () -> openFiles.check()),
        OPEN_FILES_CHECK_INTERVAL_MS,
        OPEN_FILES_CHECK_INTERVAL_MS,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        guarded("checkpoint", this::checkpointAll),
        CHECKPOINT_INTERVAL_MS,
        CHECKPOINT_INTERVAL_MS,
        TimeUnit.MILLISECONDS);
    for (Path p : toDelete) {
      scheduler.execute(guarded("delete " + p, () -> deleteRecursively(p)));
    }
    started = true;
    int segments = 0;
    for (PartitionLog l : logs.values()) {
      segments += l.segmentCount();
    }
    log.info("{}", openFiles.capacitySummary(logs.size(), segments));
    openFiles.check();
    // Recovery moved recovery points to the log ends: record that before anything else happens.
    // With no log loaded and no checkpoint entry read (a fresh data dir) there is nothing to
    // record, and four fsynced files would only delay the first start.
    if (!logs.isEmpty() || checkpointEntriesRead) {
      checkpointAll();
    }
    if (cleanerConfig.enabled()) {
      cleaner = new LogCleaner(cleanerConfig, this::all, () -> checkpointsDirty = true, time);
      cleaner.start();
    }
  }

  private void lockDir(Path dir) throws IOException {
    FileChannel ch =
        FileChannel.open(
            dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      releaseLocks();
      throw new KafkaException(
          "Failed to acquire lock on " + dir + ": another process is using this log directory");
    }
    dirLocks.put(dir, lock);
  }

  private void loadDir(Path dir, Function<TopicPartition, LogConfig> configFor, List<Path> toDelete)
      throws IOException {
    Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
    boolean clean = Files.exists(marker);
    Map<TopicPartition, Long> recoveryPoints =
        new OffsetCheckpointFile(dir.resolve(RECOVERY_POINT_CHECKPOINT)).read();
    Map<TopicPartition, Long> startOffsets =
        new OffsetCheckpointFile(dir.resolve(LOG_START_OFFSET_CHECKPOINT)).read();
    Map<TopicPartition, Long> highWatermarks =
        new OffsetCheckpointFile(dir.resolve(REPLICATION_OFFSET_CHECKPOINT)).read();
    Map<TopicPartition, Long> firstDirtyOffsets =
        new OffsetCheckpointFile(dir.resolve(CLEANER_OFFSET_CHECKPOINT)).read();
    checkpointEntriesRead |=
        !recoveryPoints.isEmpty()
            || !startOffsets.isEmpty()
            || !highWatermarks.isEmpty()
            || !firstDirtyOffsets.isEmpty();
    long startNs = System.nanoTime();
    List<Runnable> opens = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path child : children) {
        String name = child.getFileName().toString();
        if (name.endsWith(DELETE_DIR_SUFFIX)) {
          toDelete.add(child);
          continue;
        }
        if (name.startsWith(".")) {
          continue; // hidden: not ours (e.g. the embedded ZooKeeper's data)
        }
        TopicPartition tp;
        try {
          tp = PartitionLog.parseTopicPartition(name);
        } catch (IllegalArgumentException e) {
          log.warn("Ignoring directory {} in log dir {}: {}", name, dir, e.getMessage());
          continue;
        }
        opens.add(
            () -> {
              PartitionLog partitionLog =
                  PartitionLog.open(
                      child,
                      configFor.apply(tp),
                      time,
                      clean,
                      recoveryPoints.getOrDefault(tp, 0L),
                      startOffsets.getOrDefault(tp, 0L),
                      highWatermarks.getOrDefault(tp, 0L));
              PartitionLog previous = logs.putIfAbsent(tp, partitionLog);
              if (previous != null) {
                partitionLog.close();
                throw new KafkaException(
                    "Partition " + tp + " exists in both " + previous.dir() + " and " + child);
              }
              partitionLog.setLogStartOffsetListener(() -> checkpointsDirty = true);
              partitionLog.setDirFailureChannel(dirFailures);
              partitionLog.setFirstDirtyOffset(firstDirtyOffsets.getOrDefault(tp, 0L));
            });
      }
    }
    List<Throwable> failures = runPerDir(dir, opens);
    if (!failures.isEmpty()) {
      Throwable first = failures.get(0);
      if (first instanceof RuntimeException re) {
        throw re;
      }
      if (first instanceof Error err) {
        throw err;
      }
      throw new KafkaStorageException("Failed to load a log in " + dir, first);
    }
    int count = opens.size();
    // Only now: a crash during loading must recover again next time.
    Files.deleteIfExists(marker);
    DirSync.fsync(dir);
    log.info(
        "Loaded {} logs from {} after {} shutdown in {} ms",
        count,
        dir,
        clean ? "a clean" : "an unclean",
        (System.nanoTime() - startNs) / 1_000_000);
  }

  public Optional<PartitionLog> get(TopicPartition tp) {
    return Optional.ofNullable(logs.get(tp));
  }

  /**
   * Returns the existing log for {@code tp} or creates it with {@code config}. An existing log
   * keeps its config; use {@link PartitionLog#updateConfig} to change it.
   */
  public PartitionLog getOrCreate(TopicPartition tp, LogConfig config) {
    PartitionLog existing = logs.get(tp);
    if (existing != null) {
      return existing;
    }
    synchronized (this) {
      existing = logs.get(tp);
      if (existing != null) {
        return existing;
      }
      requireRunning();
      PartitionLog created = create(tp, config, List.of());
      DirSync.fsync(created.dir().getParent());
      publish(created);
      log.info("Created log {} in {}", tp, created.dir().getParent());
      return created;
    }
  }

  /**
   * Creates the logs of those of {@code partitions} that do not exist yet, then makes their
   * directories durable with one fsync of each log dir for all of them, where creating them one by
   * one ({@link #getOrCreate}) costs one each: a topic of 10,000 partitions is created in one call.
   * Nothing else is fsynced: a new log's files are empty, and its first leader epoch is written
   * later ({@link PartitionLog#assignLeaderEpoch}).
   *
   * @return how many logs were created
   * @throws KafkaStorageException the first creation that failed (the logs created before it are
   *     kept and durable); a lack of descriptors is reported as by {@link OpenFiles#exhausted}
   */
  public int createAll(Map<TopicPartition, LogConfig> partitions) {
    synchronized (this) {
      requireRunning();
      List<PartitionLog> created = new ArrayList<>();
      RuntimeException failure = null;
      for (Map.Entry<TopicPartition, LogConfig> e : partitions.entrySet()) {
        if (logs.containsKey(e.getKey())) {
          continue;
        }
        try {
          created.add(create(e.getKey(), e.getValue(), created));
        } catch (RuntimeException ex) {
          failure = ex;
          break;
        }
      }
      Set<Path> parents = new HashSet<>();
      for (PartitionLog l : created) {
        parents.add(l.dir().getParent());
      }
      for (Path parent : parents) {
        DirSync.fsync(parent);
      }
      for (PartitionLog l : created) {
        publish(l);
      }
      if (!created.isEmpty()) {
        log.info("Created {} logs in {}", created.size(), parents);
      }
      if (failure != null) {
        throw failure;
      }
      return created.size();
    }
  }

  private void requireRunning() {
    if (!started || closed) {
      throw new IllegalStateException("LogManager is not running");
    }
  }

  /**
   * Opens a new, empty log in the least loaded log dir, counting {@code pending} (created, not yet
   * published); not yet durable nor visible.
   */
  private PartitionLog create(TopicPartition tp, LogConfig config, List<PartitionLog> pending) {
    Path offlineIn = offlinePartitions.get(tp);
    if (offlineIn != null) {
      // Its data is in the failed dir: a fresh log elsewhere would serve it empty.
      throw new KafkaStorageException(
          "The log of " + tp + " is in log dir " + offlineIn + ", which is offline");
    }
    Path dir = leastLoadedDir(pending).resolve(tp.topic() + "-" + tp.partition());
    try {
      return PartitionLog.open(dir, config, time, true, 0, 0);
    } catch (KafkaStorageException e) {
      if (OpenFiles.isExhaustion(e)) {
        // Not a disk failure: the partition can be created once descriptors are freed.
        throw openFiles.exhausted("create the log of " + tp, e);
      }
      dirFailures.reportFailure(dir.getParent(), "Failed to create the log of " + tp, e);
      throw e;
    }
  }

  private void publish(PartitionLog created) {
    created.setLogStartOffsetListener(() -> checkpointsDirty = true);
    created.setDirFailureChannel(dirFailures);
    logs.put(created.topicPartition(), created);
    log.debug("Created log {} in {}", created.topicPartition(), created.dir().getParent());
  }

  /** The descriptor accounting the logs are created under (the process's by default). */
  public OpenFiles openFiles() {
    return openFiles;
  }

  /** Replaces the descriptor accounting (tests: a fake count and limit). */
  void setOpenFiles(OpenFiles openFiles) {
    this.openFiles = openFiles;
  }

  /**
   * The log dir with the fewest partitions. Counting walks every log, so with one dir (the common
   * case) it is skipped: creating 10,000 partitions one by one counted 50 million logs.
   */
  private Path leastLoadedDir(List<PartitionLog> pending) {
    List<Path> live = liveDirs();
    if (live.isEmpty()) {
      throw new KafkaStorageException("Every log dir is offline: " + logDirs);
    }
    if (live.size() == 1) {
      return live.get(0);
    }
    Map<Path, Integer> counts = new HashMap<>();
    for (Path d : live) {
      counts.put(d, 0);
    }
    for (PartitionLog l : logs.values()) {
      counts.merge(l.dir().toAbsolutePath().normalize().getParent(), 1, Integer::sum);
    }
    for (PartitionLog l : pending) {
      counts.merge(l.dir().toAbsolutePath().normalize().getParent(), 1, Integer::sum);
    }
    Path best = live.get(0);
    for (Path d : live) {
      if (counts.get(d) < counts.get(best)) {
        best = d;
      }
    }
    return best;
  }

  /** The log dirs not reported failed, in {@code log.dirs} order. */
  public List<Path> liveDirs() {
    List<Path> live = new ArrayList<>(logDirs.size());
    for (Path d : logDirs) {
      if (!dirFailures.isOffline(d)) {
        live.add(d);
      }
    }
    return live;
  }

  /** Where I/O failures of this manager's logs are reported; the broker's handler takes them. */
  public LogDirFailureChannel dirFailureChannel() {
    return dirFailures;
  }

  /**
   * What taking a failed log dir offline did.
   *
   * @param dir the failed dir
   * @param partitions the partitions whose logs were in it, no longer served here
   * @param noLiveDirLeft whether every log dir has now failed (Kafka then halts the broker)
   */
  public record OfflineDir(Path dir, Set<TopicPartition> partitions, boolean noLiveDirLeft) {}

  /**
   * Stops serving the logs of {@code dir}, which was reported failed: they are closed for appends
   * and removed (their files are released at close, so that reads still in progress finish), and
   * their partitions cannot be created again here until a restart. Its checkpoints and clean
   * shutdown marker are no longer written. Called by the broker's failure handler, off the thread
   * that met the error.
   */
  public OfflineDir handleLogDirFailure(Path dir) {
    Path failed = dir.toAbsolutePath().normalize();
    Set<TopicPartition> removed = new HashSet<>();
    synchronized (this) {
      log.warn("Stopping serving logs in dir {}", failed);
      for (PartitionLog l : logs.values()) {
        if (l.dir().toAbsolutePath().normalize().getParent().equals(failed)) {
          l.markForDeletion(); // refuses appends from now on; files stay open for readers
          logs.remove(l.topicPartition(), l);
          offlinePartitions.put(l.topicPartition(), failed);
          offlineLogs.add(l);
          removed.add(l.topicPartition());
        }
      }
    }
    boolean noneLeft = liveDirs().isEmpty();
    log.warn(
        "Partitions {} are offline due to failure on log dir {}{}",
        removed,
        failed,
        noneLeft ? "; no log dir is left" : "");
    return new OfflineDir(failed, Set.copyOf(removed), noneLeft);
  }

  /** Closes and removes the partition's directory (renamed first, then deleted in background). */
  public synchronized void delete(TopicPartition tp) {
    PartitionLog removed = logs.remove(tp);
    if (removed == null) {
      return;
    }
    removed.markForDeletion();
    Path dir = removed.dir();
    String suffix = UUID.randomUUID().toString().replace("-", "");
    Path renamed = dir.resolveSibling(dir.getFileName() + "." + suffix + DELETE_DIR_SUFFIX);
    try {
      Files.move(dir, renamed);
      DirSync.fsync(dir.getParent());
    } catch (IOException e) {
      dirFailures.reportFailure(dir.getParent(), "Failed to rename " + dir + " for deletion", e);
      throw new KafkaStorageException("Failed to rename " + dir + " for deletion", e);
    }
    log.info("Scheduled deletion of log {} ({})", tp, renamed);
    pendingDirDeletions.add(removed);
    Runnable deletion =
        () -> {
          synchronized (this) {
            if (!pendingDirDeletions.remove(removed)) {
              return; // close() already did it
            }
          }
          removed.closeForDeletion();
          deleteRecursively(renamed);
        };
    long delay = Math.max(0, removed.config().fileDeleteDelayMs());
    if (scheduler != null && !closed) {
      scheduler.schedule(guarded("delete " + tp, deletion), delay, TimeUnit.MILLISECONDS);
    } else {
      deletion.run();
    }
    checkpointsDirty = true;
  }

  public Collection<PartitionLog> all() {
    return List.copyOf(logs.values());
  }

  public LogConfig defaults() {
    return defaults;
  }

  public List<Path> logDirs() {
    return logDirs;
  }

  private void enforceRetention() {
    long now = time.milliseconds();
    for (PartitionLog l : logs.values()) {
      try {
        l.enforceRetention(now);
      } catch (RuntimeException e) {
        log.error("Retention failed for {}", l.topicPartition(), e);
      }
    }
  }

  private void flushTick() {
    long now = time.milliseconds();
    for (PartitionLog l : logs.values()) {
      try {
        l.maybeFlush(now);
        l.deleteDueSegments(now);
      } catch (RuntimeException e) {
        log.error("Flush failed for {}", l.topicPartition(), e);
      }
    }
    if (checkpointsDirty) {
      checkpointAll();
    }
  }

  /** Writes the three checkpoint files of every log dir. */
  void checkpointAll() {
    synchronized (checkpointLock) {
      checkpointsDirty = false;
      for (Path dir : liveDirs()) {
        Map<TopicPartition, Long> recoveryPoints = new HashMap<>();
        Map<TopicPartition, Long> startOffsets = new HashMap<>();
        Map<TopicPartition, Long> highWatermarks = new HashMap<>();
        Map<TopicPartition, Long> firstDirtyOffsets = new HashMap<>();
        for (PartitionLog l : logs.values()) {
          if (l.dir().toAbsolutePath().normalize().getParent().equals(dir)) {
            recoveryPoints.put(l.topicPartition(), l.recoveryPoint());
            startOffsets.put(l.topicPartition(), l.logStartOffset());
            highWatermarks.put(l.topicPartition(), l.highWatermark());
            if (l.config().compact()) {
              firstDirtyOffsets.put(l.topicPartition(), l.firstDirtyOffset());
            }
          }
        }
        try {
          new OffsetCheckpointFile(dir.resolve(RECOVERY_POINT_CHECKPOINT)).write(recoveryPoints);
          new OffsetCheckpointFile(dir.resolve(LOG_START_OFFSET_CHECKPOINT)).write(startOffsets);
          new OffsetCheckpointFile(dir.resolve(REPLICATION_OFFSET_CHECKPOINT))
              .write(highWatermarks);
          new OffsetCheckpointFile(dir.resolve(CLEANER_OFFSET_CHECKPOINT)).write(firstDirtyOffsets);
        } catch (IOException e) {
          dirFailures.reportFailure(dir, "Failed to write checkpoints in " + dir, e);
        }
      }
    }
  }

  private Runnable guarded(String name, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) {
        log.error("Background task '{}' failed", name, t);
      }
    };
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("Failed to delete {}", root, e);
    }
  }

  /**
   * Runs {@code tasks} (the loads or closes of one log dir's logs) on {@code
   * num.recovery.threads.per.data.dir} threads and waits for all of them, as Kafka does at start-up
   * and shutdown: with 10,000 logs, each close is several fsyncs, and one after the other they took
   * longer than a process is given to stop. Returns what the tasks threw (each is already logged by
   * the task if it matters), in no particular order.
   */
  private List<Throwable> runPerDir(Path dir, List<Runnable> tasks) {
    List<Throwable> failures = new ArrayList<>();
    if (tasks.isEmpty()) {
      return failures;
    }
    int threads = Math.min(recoveryThreadsPerDataDir, tasks.size());
    if (threads == 1) {
      for (Runnable task : tasks) {
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          failures.add(e);
        }
      }
      return failures;
    }
    AtomicInteger ids = new AtomicInteger();
    String name = "ferry-log-recovery-" + dir.getFileName() + "-";
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, name + ids.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    boolean interrupted = false;
    try {
      List<Future<?>> futures = new ArrayList<>(tasks.size());
      for (Runnable task : tasks) {
        futures.add(pool.submit(task));
      }
      // Every task is waited for, even after a failure or an interrupt: none may still be working
      // on a log when the caller goes on (closes it, writes the clean-shutdown marker).
      for (Future<?> f : futures) {
        while (true) {
          try {
            f.get();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (ExecutionException e) {
            failures.add(e.getCause());
            break;
          }
        }
      }
    } finally {
      pool.shutdown();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return failures;
  }

  private void closeLoaded() {
    for (PartitionLog l : logs.values()) {
      try {
        l.close();
      } catch (RuntimeException e) {
        log.warn("Failed to close {}", l.topicPartition(), e);
      }
    }
    logs.clear();
  }

  private void releaseLocks() {
    for (FileLock lock : dirLocks.values()) {
      try {
        lock.release();
        lock.channel().close();
      } catch (IOException e) {
        log.warn("Failed to release a log dir lock", e);
      }
    }
    dirLocks.clear();
  }

  /** Flushes and closes every log and records a clean shutdown so the next start skips recovery. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (cleaner != null) {
      cleaner.close(); // before the logs it works on are closed
    }
    if (scheduler != null) {
      scheduler.shutdown();
      try {
        if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
          log.warn("Log scheduler did not stop within 30 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      Map<Path, Boolean> cleanDirs = new HashMap<>();
      for (Path d : logDirs) {
        cleanDirs.put(d, true);
      }
      long startNs = System.nanoTime();
      Map<Path, List<Runnable>> closes = new HashMap<>();
      for (PartitionLog l : logs.values()) {
        Path d = l.dir().toAbsolutePath().normalize().getParent();
        closes
            .computeIfAbsent(d, k -> new ArrayList<>())
            .add(
                () -> {
                  try {
                    l.close();
                  } catch (RuntimeException e) {
                    log.error(
                        "Failed to close log {}; its dir will be recovered at next start", l, e);
                    throw e;
                  }
                });
      }
      for (Map.Entry<Path, List<Runnable>> e : closes.entrySet()) {
        if (!runPerDir(e.getKey(), e.getValue()).isEmpty()) {
          cleanDirs.put(e.getKey(), false);
        }
      }
      if (!logs.isEmpty()) {
        log.info(
            "Flushed and closed {} logs in {} ms",
            logs.size(),
            (System.nanoTime() - startNs) / 1_000_000);
      }
      for (PartitionLog l : pendingDirDeletions) {
        l.closeForDeletion();
      }
      pendingDirDeletions.clear();
      for (PartitionLog l : offlineLogs) {
        l.closeForDeletion(); // nothing written to a failed dir; its next start recovers it
      }
      offlineLogs.clear();
      if (started) {
        checkpointAll();
        for (Path d : liveDirs()) {
          if (cleanDirs.get(d)) {
            try {
              Files.write(d.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
              DirSync.fsync(d);
            } catch (IOException e) {
              log.error("Failed to write the clean shutdown marker in {}", d, e);
            }
          }
        }
      }
      logs.clear();
      releaseLocks();
    }
    log.info("Log manager closed");
  }
}
