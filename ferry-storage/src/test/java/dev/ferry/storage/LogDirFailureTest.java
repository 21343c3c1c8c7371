package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * I/O failures of a log take its log dir offline ({@link LogDirFailureChannel}), including the
 * JVM's InternalError for a fault on a memory-mapped index page — provoked for real here: the index
 * file is cut to nothing under its mapping, so the next index entry's write lands beyond the end of
 * the file and the kernel raises SIGBUS, as it does for an unallocated page on a full disk.
 */
class LogDirFailureTest {

  @TempDir Path tmp;
  private LogManager manager;

  @AfterEach
  void close() {
    if (manager != null) {
      manager.close();
    }
  }

  private LogManager start(List<Path> dirs) {
    manager = new LogManager(dirs, LogConfig.defaults(), 300_000, Time.SYSTEM);
    manager.startup();
    return manager;
  }

  @Test
  void anIndexThatCannotGetDiskBlocksFailsTheAppendAndTheLogDir() throws Exception {
    Path dir = tmp.resolve("d").toAbsolutePath().normalize();
    LogManager m = start(List.of(dir));
    // An index entry for every batch after the first.
    LogConfig config = LogTestSupport.config(Map.of(LogConfig.INDEX_INTERVAL_BYTES, "1"));
    TopicPartition tp = new TopicPartition("t", 0);
    PartitionLog log = m.getOrCreate(tp, config);
    log.append(Batches.batch("before", 1, 1_000), 0);
    // The index's first block cannot be written: its path is now a directory (the mapping of the
    // old file stays valid). On a full disk the same write fails with ENOSPC.
    Path index = log.dir().resolve("00000000000000000000.index");
    Files.delete(index);
    Files.createDirectory(index);

    Throwable failure = catchThrowable(() -> log.append(Batches.batch("after", 1, 1_000), 0));

    assertThat(failure)
        .isInstanceOf(KafkaStorageException.class)
        .hasMessageContaining("append to log t-0")
        .hasCauseInstanceOf(IOException.class);
    assertThat(log.logEndOffset()).as("the batch is cut back").isEqualTo(1);
    assertThat(Batches.values(log.read(0, 1 << 20, Long.MAX_VALUE, true).records()))
        .containsExactly("before-0");
    assertThat(m.dirFailureChannel().offlineDirs()).containsExactly(dir);
    LogManager.OfflineDir offline = m.handleLogDirFailure(m.dirFailureChannel().takeNext(0));
    assertThat(offline.partitions()).containsExactly(tp);
    assertThat(offline.noLiveDirLeft()).isTrue();
  }

  @Test
  void anOfflineDirIsNeitherCheckpointedNorMarkedCleanAndItsPartitionsStayOffline()
      throws Exception {
    Path d1 = tmp.resolve("d1").toAbsolutePath().normalize();
    Path d2 = tmp.resolve("d2").toAbsolutePath().normalize();
    LogManager m = start(List.of(d1, d2));
    TopicPartition a = new TopicPartition("t", 0);
    TopicPartition b = new TopicPartition("t", 1);
    PartitionLog la = m.getOrCreate(a, LogTestSupport.small());
    PartitionLog lb = m.getOrCreate(b, LogTestSupport.small());
    assertThat(la.dir().getParent()).isEqualTo(d1);
    la.append(Batches.batch("a", 2, 1_000), 0);
    lb.append(Batches.batch("b", 2, 1_000), 0);

    KafkaStorageException e =
        la.local().storageError("flush", new IOException("No space left on device"));
    assertThat(e).hasMessageContaining("No space left on device");
    LogManager.OfflineDir offline = m.handleLogDirFailure(m.dirFailureChannel().takeNext(0));

    assertThat(offline).isEqualTo(new LogManager.OfflineDir(d1, java.util.Set.of(a), false));
    assertThat(m.get(a)).isEmpty();
    assertThat(catchThrowable(() -> la.append(Batches.batch("late", 1, 1_000), 0)))
        .isInstanceOf(KafkaStorageException.class);
    assertThat(catchThrowable(() -> m.getOrCreate(a, LogTestSupport.small())))
        .isInstanceOf(KafkaStorageException.class)
        .hasMessageContaining(d1.toString());
    assertThat(m.getOrCreate(new TopicPartition("t", 2), LogTestSupport.small()).dir().getParent())
        .isEqualTo(d2);

    Files.deleteIfExists(d1.resolve(LogManager.RECOVERY_POINT_CHECKPOINT));
    m.close();
    manager = null;
    assertThat(d1.resolve(LogManager.CLEAN_SHUTDOWN_FILE)).doesNotExist();
    assertThat(d1.resolve(LogManager.RECOVERY_POINT_CHECKPOINT)).doesNotExist();
    assertThat(d2.resolve(LogManager.CLEAN_SHUTDOWN_FILE)).exists();

    // The next start recovers the failed dir and serves its partition again.
    LogManager again = start(List.of(d1, d2));
    assertThat(again.get(a).orElseThrow().logEndOffset()).isEqualTo(2);
    assertThat(again.get(b).orElseThrow().logEndOffset()).isEqualTo(2);
    assertThat(again.get(a).orElseThrow().loadStats().recoveredSegments()).isEqualTo(1);
  }
}
