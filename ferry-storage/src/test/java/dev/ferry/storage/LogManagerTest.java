package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.storage.cleaner.LogCleaner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {

  @TempDir Path tmp;
  private final List<LogManager> managers = new ArrayList<>();

  @AfterEach
  void closeAll() {
    managers.forEach(LogManager::close);
  }

  private LogManager start(List<Path> dirs, LogConfig defaults, long retentionCheckMs) {
    LogManager m = new LogManager(dirs, defaults, retentionCheckMs, Time.SYSTEM);
    managers.add(m);
    m.startup();
    return m;
  }

  private List<Path> dirs() {
    return List.of(tmp.resolve("d1"), tmp.resolve("d2"));
  }

  private static List<TopicPartition> partitions() {
    List<TopicPartition> tps = new ArrayList<>();
    for (String topic : List.of("orders", "my-topic.v2", "__consumer_offsets", "a")) {
      for (int p = 0; p < 10; p++) {
        tps.add(new TopicPartition(topic, p));
      }
    }
    return tps;
  }

  private static String value(TopicPartition tp, int i) {
    return tp.topic() + "/" + tp.partition() + "/" + i;
  }

  private static void fill(LogManager m, List<TopicPartition> tps, int batches) {
    for (TopicPartition tp : tps) {
      PartitionLog log = m.getOrCreate(tp, LogTestSupport.small());
      for (int i = 0; i < batches; i++) {
        log.append(Batches.withTimestamps(value(tp, i), 1000 + i), 0);
      }
    }
  }

  private static void assertContents(LogManager m, List<TopicPartition> tps, int batches) {
    for (TopicPartition tp : tps) {
      PartitionLog log = m.get(tp).orElseThrow();
      assertThat(log.logEndOffset()).isEqualTo(batches);
      List<String> values = new ArrayList<>();
      long next = 0;
      for (int guard = 0; next < batches && guard < 1000; guard++) {
        for (Batches.Rec r :
            Batches.decode(log.read(next, 1 << 20, Long.MAX_VALUE, true).records())) {
          assertThat(r.offset()).isEqualTo(next++);
          values.add(r.value());
        }
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < batches; i++) {
        expected.add(value(tp, i) + "-0");
      }
      assertThat(values).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void reloadsManyPartitionsAfterACleanStopWithoutScanning() throws IOException {
    LogManager first = start(dirs(), LogTestSupport.small(), 60_000);
    fill(first, partitions(), 60);
    assertThat(first.all()).hasSize(40);
    first.close();
    for (Path d : dirs()) {
      assertThat(d.resolve(LogManager.CLEAN_SHUTDOWN_FILE)).exists();
      try (Stream<Path> children = Files.list(d)) {
        assertThat(children.filter(Files::isDirectory).count()).isEqualTo(20); // balanced
      }
    }

    LogManager second = start(dirs(), LogTestSupport.small(), 60_000);
    assertThat(second.all()).hasSize(40);
    for (Path d : dirs()) {
      assertThat(d.resolve(LogManager.CLEAN_SHUTDOWN_FILE)).doesNotExist();
    }
    for (PartitionLog log : second.all()) {
      assertThat(log.segmentCount()).isGreaterThan(1);
      assertThat(log.loadStats().recoveredSegments()).isZero();
      assertThat(log.loadStats().recoveredBatches()).isZero();
      assertThat(log.loadStats().replayedBatches()).isZero();
    }
    assertContents(second, partitions(), 60);
  }

  /**
   * A clock that, once armed, makes the first flush of each log-closing thread wait until another
   * one is flushing too: it only lets the closes finish at once if two logs are closed at the same
   * time.
   */
  private static final class MeetingClock implements Time {
    private final CyclicBarrier meeting = new CyclicBarrier(2);
    private final Set<String> met = ConcurrentHashMap.newKeySet();
    private final Set<String> missed = ConcurrentHashMap.newKeySet();
    private volatile boolean armed;

    @Override
    public long milliseconds() {
      String thread = Thread.currentThread().getName();
      if (armed
          && thread.startsWith("ferry-log-recovery-")
          && !met.contains(thread)
          && !missed.contains(thread)) {
        try {
          meeting.await(10, TimeUnit.SECONDS);
          met.add(thread);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
          missed.add(thread);
        }
      }
      return System.currentTimeMillis();
    }

    @Override
    public long nanoseconds() {
      return System.nanoTime();
    }

    @Override
    public void sleep(long ms) {
      Utils.sleep(ms);
    }
  }

  @Test
  void closesTheLogsOfADirOnNumRecoveryThreadsPerDataDirThreads() throws IOException {
    // Closing 10,000 logs one after the other (several fsyncs each) took longer than the 20 s a
    // benchmark gave the broker to stop: it was killed, and the next start recovered every log.
    // Kafka closes (and loads) num.recovery.threads.per.data.dir logs of a dir at once.
    Path dir = tmp.resolve("d");
    LogManager loader = new LogManager(List.of(dir), LogTestSupport.small(), 60_000, Time.SYSTEM);
    managers.add(loader);
    loader.startup();
    fill(loader, partitions(), 3);
    loader.close();

    MeetingClock clock = new MeetingClock();
    LogManager m =
        new LogManager(
            List.of(dir), LogTestSupport.small(), 60_000, LogCleaner.Config.defaults(), 2, clock);
    managers.add(m);
    m.startup();
    fill(m, partitions(), 0);
    for (PartitionLog log : m.all()) { // unflushed data, so each close flushes
      log.append(Batches.withTimestamps("more", 2_000), 0);
    }
    clock.armed = true;
    m.close();

    assertThat(clock.missed).isEmpty();
    assertThat(clock.met).hasSize(2);
    assertThat(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)).exists();
    LogManager again = start(List.of(dir), LogTestSupport.small(), 60_000);
    assertThat(again.all()).hasSize(40);
    for (PartitionLog log : again.all()) {
      assertThat(log.logEndOffset()).isEqualTo(4);
      assertThat(log.loadStats().recoveredSegments()).isZero();
    }
  }

  @Test
  void aCleanStopWritesNoProducerSnapshotThatWouldAddNothing() throws IOException {
    Path dir = tmp.resolve("d");
    LogManager m = start(List.of(dir), LogTestSupport.small(), 60_000);
    TopicPartition idle = new TopicPartition("idle", 0);
    TopicPartition busy = new TopicPartition("busy", 0);
    m.createAll(Map.of(idle, LogTestSupport.small(), busy, LogTestSupport.small()));
    m.get(idle).orElseThrow().assignLeaderEpoch(0);
    m.get(busy).orElseThrow().assignLeaderEpoch(0);
    m.get(busy).orElseThrow().append(Batches.idempotent(7, (short) 0, 0, "v", 3), 0);
    m.close();

    assertThat(snapshots(dir.resolve("idle-0"))).isEmpty();
    assertThat(snapshots(dir.resolve("busy-0"))).containsExactly("00000000000000000003.snapshot");
    Path busySnapshot = dir.resolve("busy-0").resolve("00000000000000000003.snapshot");
    FileTime written = Files.getLastModifiedTime(busySnapshot);
    Files.setLastModifiedTime(busySnapshot, FileTime.fromMillis(written.toMillis() - 60_000));

    // Restarted and stopped again without appends: the snapshot at the log end is kept as it is.
    LogManager again = start(List.of(dir), LogTestSupport.small(), 60_000);
    again.close();
    assertThat(Files.getLastModifiedTime(busySnapshot).toMillis())
        .isEqualTo(written.toMillis() - 60_000);
    LogManager third = start(List.of(dir), LogTestSupport.small(), 60_000);
    PartitionLog busyLog = third.get(busy).orElseThrow();
    assertThat(busyLog.loadStats().replayedBatches()).isZero();
    // The producer is known: its next sequence is 3, a repeat of sequence 0 is a duplicate.
    AppendResult dup = busyLog.append(Batches.idempotent(7, (short) 0, 0, "v", 3), 0);
    assertThat(dup.duplicate()).isTrue();
    assertThat(dup.firstOffset()).isEqualTo(0);
    assertThat(busyLog.logEndOffset()).isEqualTo(3);
  }

  private static List<String> snapshots(Path logDir) throws IOException {
    try (Stream<Path> files = Files.list(logDir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".snapshot"))
          .sorted()
          .toList();
    }
  }

  @Test
  void createAllCreatesTheMissingLogsBalancedAcrossDirsAndKeepsExistingOnes() throws IOException {
    LogManager m = start(dirs(), LogTestSupport.small(), 60_000);
    TopicPartition existing = new TopicPartition("orders", 0);
    fill(m, List.of(existing), 3);
    Map<TopicPartition, LogConfig> wanted = new java.util.LinkedHashMap<>();
    for (TopicPartition tp : partitions()) {
      wanted.put(tp, LogTestSupport.small());
    }

    assertThat(m.createAll(wanted)).isEqualTo(39);
    assertThat(m.createAll(wanted)).isZero();

    assertThat(m.all()).hasSize(40);
    assertThat(m.get(existing).orElseThrow().logEndOffset()).isEqualTo(3);
    for (Path d : dirs()) {
      try (Stream<Path> children = Files.list(d)) {
        assertThat(children.filter(Files::isDirectory).count()).isEqualTo(20);
      }
    }
    // Each new log takes appends and survives a restart with its data.
    fill(m, partitions().subList(10, 20), 2);
    m.close();
    LogManager again = start(dirs(), LogTestSupport.small(), 60_000);
    assertThat(again.all()).hasSize(40);
    assertContents(again, partitions().subList(10, 20), 2);
  }

  @Test
  void createAllNeedsARunningManager() {
    LogManager m = start(List.of(tmp.resolve("d")), LogTestSupport.small(), 60_000);
    Map<TopicPartition, LogConfig> wanted = new java.util.LinkedHashMap<>();
    for (TopicPartition tp : partitions().subList(0, 3)) {
      wanted.put(tp, LogTestSupport.small());
    }
    m.close();
    assertThatThrownBy(() -> m.createAll(wanted)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void checkpointFilesUseKafkasTextLayout() throws IOException {
    LogManager m = start(List.of(tmp.resolve("d")), LogTestSupport.small(), 60_000);
    TopicPartition tp = new TopicPartition("my-topic", 4);
    fill(m, List.of(tp), 5);
    m.get(tp).orElseThrow().advanceLogStartOffset(2);
    m.close();
    assertThat(Files.readAllLines(tmp.resolve("d").resolve(LogManager.RECOVERY_POINT_CHECKPOINT)))
        .containsExactly("0", "1", "my-topic 4 5");
    assertThat(Files.readAllLines(tmp.resolve("d").resolve(LogManager.LOG_START_OFFSET_CHECKPOINT)))
        .containsExactly("0", "1", "my-topic 4 2");
  }

  @Test
  void aFreshDirStartsWithoutWritingCheckpointsAndAReloadRewritesThem() throws IOException {
    Path d = tmp.resolve("d");
    LogManager fresh = start(List.of(d), LogTestSupport.small(), 60_000);
    assertThat(d.resolve(LogManager.RECOVERY_POINT_CHECKPOINT)).doesNotExist();
    TopicPartition tp = new TopicPartition("t", 0);
    fill(fresh, List.of(tp), 3);
    fresh.close();
    // A stale entry (its partition gone) must be rewritten away by the next start-up.
    Files.writeString(d.resolve(LogManager.RECOVERY_POINT_CHECKPOINT), "0\n2\nt 0 3\ngone 0 7\n");

    start(List.of(d), LogTestSupport.small(), 60_000);

    assertThat(Files.readAllLines(d.resolve(LogManager.RECOVERY_POINT_CHECKPOINT)))
        .containsExactly("0", "1", "t 0 3");
  }

  @Test
  void logStartOffsetFromDeleteRecordsSurvivesRestart() {
    LogManager m = start(List.of(tmp.resolve("d")), LogTestSupport.small(), 60_000);
    TopicPartition tp = new TopicPartition("t", 0);
    fill(m, List.of(tp), 10);
    m.get(tp).orElseThrow().advanceLogStartOffset(7);
    m.close();

    LogManager again = start(List.of(tmp.resolve("d")), LogTestSupport.small(), 60_000);
    PartitionLog log = again.get(tp).orElseThrow();
    assertThat(log.logStartOffset()).isEqualTo(7);
    assertThatThrownBy(() -> log.read(6, 100, Long.MAX_VALUE, true))
        .isInstanceOf(OffsetOutOfRangeException.class);
    assertThat(Batches.offsets(log.read(7, 100, Long.MAX_VALUE, true).records()))
        .containsExactly(7L);
  }

  @Test
  void uncleanStopIsRecoveredFromTheRecoveryPoint() throws IOException {
    Path live = tmp.resolve("live");
    LogManager m = start(List.of(live), LogTestSupport.small(), 60_000);
    List<TopicPartition> tps = partitions().subList(0, 5);
    fill(m, tps, 60);
    for (PartitionLog log : m.all()) {
      log.flush();
    }
    m.checkpointAll(); // recovery points at 60
    fill(m, tps.subList(0, 1), 0);
    PartitionLog hot = m.get(tps.get(0)).orElseThrow();
    for (int i = 60; i < 70; i++) {
      hot.append(Batches.withTimestamps(value(tps.get(0), i), 1000 + i), 0);
    }
    // the crash: copy everything as it is on disk, no clean-shutdown marker
    Path crashed = tmp.resolve("crashed");
    Files.createDirectories(crashed);
    Files.copy(
        live.resolve(LogManager.RECOVERY_POINT_CHECKPOINT),
        crashed.resolve(LogManager.RECOVERY_POINT_CHECKPOINT));
    for (PartitionLog log : m.all()) {
      LogTestSupport.crashCopy(log.dir(), crashed);
    }

    LogManager recovered = start(List.of(crashed), LogTestSupport.small(), 60_000);
    PartitionLog hotAgain = recovered.get(tps.get(0)).orElseThrow();
    assertThat(hotAgain.logEndOffset()).isEqualTo(70);
    assertThat(hotAgain.loadStats().recoveredSegments()).isEqualTo(1); // only the unflushed one
    for (TopicPartition tp : tps.subList(1, 5)) {
      PartitionLog log = recovered.get(tp).orElseThrow();
      // the active segment may hold unflushed data in principle; flushed ones are not re-scanned
      assertThat(log.loadStats().recoveredSegments()).isLessThanOrEqualTo(1);
      assertThat(log.loadStats().recoveredBatches()).isLessThan(60);
    }
    assertContents(recovered, tps.subList(1, 5), 60);
  }

  @Test
  void secondManagerCannotUseALockedDir() {
    start(List.of(tmp.resolve("d")), LogConfig.defaults(), 60_000);
    LogManager intruder =
        new LogManager(List.of(tmp.resolve("d")), LogConfig.defaults(), 60_000, Time.SYSTEM);
    assertThatThrownBy(intruder::startup)
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("lock");
  }

  @Test
  void deleteRenamesTheDirAndRemovesItInTheBackground() throws IOException {
    Map<String, String> m = new HashMap<>();
    m.put(LogConfig.FILE_DELETE_DELAY_MS, "200");
    LogConfig config = LogTestSupport.config(m);
    LogManager manager = start(List.of(tmp.resolve("d")), config, 60_000);
    TopicPartition tp = new TopicPartition("gone", 1);
    PartitionLog log = manager.getOrCreate(tp, config);
    log.append(Batches.batch("x", 3, 1), 0);

    manager.delete(tp);
    assertThat(manager.get(tp)).isEmpty();
    assertThatThrownBy(() -> log.append(Batches.batch("late", 1, 1), 0))
        .isInstanceOf(KafkaStorageException.class);
    // in-flight fetches keep reading until the delayed close
    assertThat(Batches.values(log.read(0, 1000, Long.MAX_VALUE, true).records()))
        .containsExactly("x-0", "x-1", "x-2");
    assertThat(tmp.resolve("d").resolve("gone-1")).doesNotExist();
    assertThat(childNames(tmp.resolve("d")))
        .anyMatch(n -> n.startsWith("gone-1.") && n.endsWith("-delete"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(childNames(tmp.resolve("d"))).noneMatch(n -> n.startsWith("gone-1")));

    PartitionLog fresh = manager.getOrCreate(tp, config);
    assertThat(fresh.logEndOffset()).isZero();
  }

  @Test
  void backgroundScheduleEnforcesRetentionAndFlushMs() {
    Map<String, String> m = new HashMap<>();
    m.put(LogConfig.RETENTION_MS, "60000");
    m.put(LogConfig.SEGMENT_BYTES, "2500");
    m.put(LogConfig.FILE_DELETE_DELAY_MS, "0");
    m.put(LogConfig.FLUSH_MS, "0");
    LogConfig config = LogTestSupport.config(m);
    // Data written before the manager starts, so the 100 ms retention check cannot race the
    // appends.
    long now = System.currentTimeMillis();
    try (PartitionLog log =
        PartitionLog.open(tmp.resolve("d").resolve("r-0"), config, Time.SYSTEM, true)) {
      for (int i = 0; i < 4; i++) {
        log.append(Batches.sized("old" + i, 1000, now - 3_600_000), 0);
      }
      for (int i = 0; i < 2; i++) {
        log.append(Batches.sized("new" + i, 1000, now), 0);
      }
    }
    LogManager manager = new LogManager(List.of(tmp.resolve("d")), config, 100, Time.SYSTEM);
    managers.add(manager);
    manager.startup(tp -> config);
    PartitionLog log = manager.get(new TopicPartition("r", 0)).orElseThrow();
    log.updateHighWatermark(log.logEndOffset()); // as the broker does: retention stops at the HW
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(log.logStartOffset()).isEqualTo(4));
    assertThat(Batches.values(log.read(4, 100_000, Long.MAX_VALUE, true).records()).get(0))
        .startsWith("new0");

    log.append(Batches.batch("more", 1, now), 0);
    assertThat(log.recoveryPoint()).isEqualTo(6);
    await() // flush.ms=0: the scheduler's next flush check fsyncs it
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(log.recoveryPoint()).isEqualTo(7));
  }

  @Test
  void leftoversOfInterruptedDeletionsAreRemovedAtStartup() throws IOException {
    Path d = tmp.resolve("d");
    Path doomedDir = d.resolve("old-0.0123abcd-delete");
    Files.createDirectories(doomedDir);
    Files.write(doomedDir.resolve("00000000000000000000.log"), new byte[100]);
    Path partition = d.resolve("kept-0");
    Files.createDirectories(partition);
    Files.write(partition.resolve("00000000000000000000.log.deleted"), new byte[10]);
    Files.write(partition.resolve("00000000000000000042.index"), new byte[16]); // orphan
    Files.write(partition.resolve(LogManager.RECOVERY_POINT_CHECKPOINT + ".tmp"), new byte[3]);

    LogManager m = start(List.of(d), LogConfig.defaults(), 60_000);
    assertThat(m.get(new TopicPartition("kept", 0))).isPresent();
    assertThat(m.get(new TopicPartition("old", 0))).isEmpty();
    assertThat(childNames(partition))
        .containsExactlyInAnyOrder(
            "00000000000000000000.log",
            "00000000000000000000.index",
            "00000000000000000000.timeindex");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(doomedDir).doesNotExist());
  }

  private static List<String> childNames(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }
}
