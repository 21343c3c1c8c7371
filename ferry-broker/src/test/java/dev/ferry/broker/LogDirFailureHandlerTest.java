package dev.ferry.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.metadata.PartitionState;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.runtime.ManualClock;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.LogManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's log-dir failure semantics on a broker's log manager and replica manager, with a recorded
 * halt instead of the real one: an I/O failure in a log's dir (here the JVM's report of a fault on
 * a memory-mapped page, the full-disk SIGBUS) takes only that dir's partitions offline while
 * another dir is live, and halts the broker once none is.
 */
class LogDirFailureHandlerTest {

  /** The message HotSpot gives the InternalError it throws for a SIGBUS on a mapped page. */
  private static final String SIGBUS =
      "a fault occurred in a recent unsafe memory access operation in compiled Java code";

  @TempDir Path tmp;

  private final ManualClock clock = new ManualClock(1_000);
  private final LogConfig logConfig = LogConfig.fromMap(LogConfig.defaultValues());
  private final List<Integer> halts = new ArrayList<>();
  private final List<Set<TopicPartition>> reports = new ArrayList<>();
  private LogManager logs;
  private ReplicaManager replicas;
  private LogDirFailureHandler handler;

  private void start(List<Path> dirs) {
    logs = new LogManager(dirs, logConfig, 300_000, clock);
    logs.startup();
    replicas = new ReplicaManager(logs, clock, clock);
    handler = new LogDirFailureHandler(0, logs, replicas, halts::add, reports::add);
  }

  @AfterEach
  void close() {
    replicas.close();
    logs.close();
  }

  private Partition lead(TopicPartition tp) {
    return replicas.makeLeader(
        tp,
        Uuid.randomUuid(),
        logConfig,
        new PartitionState(0, 1, List.of(0), 1, 1),
        List.of(0),
        1);
  }

  private static MemoryRecords record(String value) {
    return MemoryRecords.withRecords(
        Compression.NONE, new SimpleRecord(value.getBytes(StandardCharsets.UTF_8)));
  }

  private static Path logDirOf(Partition p) {
    return p.log().dir().toAbsolutePath().normalize().getParent();
  }

  @Test
  void aFailedDirTakesOnlyItsPartitionsOfflineAndTheLastOneHaltsTheBroker() throws Exception {
    Path d1 = tmp.resolve("d1").toAbsolutePath().normalize();
    Path d2 = tmp.resolve("d2").toAbsolutePath().normalize();
    start(List.of(d1, d2));
    TopicPartition a = new TopicPartition("t", 0);
    TopicPartition b = new TopicPartition("t", 1);
    Partition pa = lead(a);
    Partition pb = lead(b);
    assertThat(List.of(logDirOf(pa), logDirOf(pb))).containsExactly(d1, d2);
    replicas.appendAsLeader(a, record("a0"), (short) 1);

    // A follower's or leader's thread met the fault: it reports the log's dir.
    KafkaStorageException reported =
        pa.log().mappedFileFault("append to", new InternalError(SIGBUS));
    assertThat(reported).hasMessageContaining("t-0").hasRootCauseInstanceOf(InternalError.class);
    assertThat(logs.dirFailureChannel().offlineDirs()).containsExactly(d1);

    assertThat(handler.handleNext(0)).isTrue();
    assertThat(halts).as("a live dir is left").isEmpty();
    // The controller is told, so that it moves the partition's leadership elsewhere.
    assertThat(reports).containsExactly(Set.of(a));
    assertThat(replicas.partition(a)).isNull();
    assertThat(logs.get(a)).isEmpty();
    assertThat(logs.liveDirs()).containsExactly(d2);
    assertThatThrownBy(() -> replicas.appendAsLeader(a, record("a1"), (short) 1))
        .isInstanceOf(KafkaStorageException.class)
        .hasMessageContaining(d1.toString())
        .hasMessageContaining("offline");
    // The metadata still says this broker leads it: no fresh, empty log may appear elsewhere.
    assertThatThrownBy(() -> lead(a)).isInstanceOf(KafkaStorageException.class);
    assertThat(logs.get(a)).isEmpty();
    // The other dir's partition is untouched, and new partitions go to the live dir.
    assertThat(replicas.appendAsLeader(b, record("b0"), (short) 1).firstOffset()).isEqualTo(0);
    assertThat(logDirOf(lead(new TopicPartition("t", 2)))).isEqualTo(d2);

    // A second report of the same dir changes nothing.
    pa.log().mappedFileFault("append to", new InternalError(SIGBUS));
    assertThat(handler.handleNext(0)).isFalse();

    pb.log().mappedFileFault("replicate to", new InternalError(SIGBUS));
    assertThat(handler.handleNext(0)).isTrue();
    assertThat(halts).as("no log dir left").containsExactly(1);
    assertThat(reports).as("halting says the rest").hasSize(1);
  }

  @Test
  void withASingleLogDirAnyFailureHaltsTheBroker() throws Exception {
    start(List.of(tmp.resolve("only")));
    Partition p = lead(new TopicPartition("t", 0));
    p.log().mappedFileFault("append to", new InternalError(SIGBUS));

    assertThat(handler.handleNext(0)).isTrue();
    assertThat(halts).containsExactly(1);
  }

  @Test
  void anotherInternalErrorIsNotTakenForADiskFault() {
    start(List.of(tmp.resolve("only")));
    Partition p = lead(new TopicPartition("t", 0));
    InternalError other = new InternalError("something else");

    assertThatThrownBy(() -> p.log().mappedFileFault("append to", other)).isSameAs(other);
    assertThat(logs.dirFailureChannel().offlineDirs()).isEmpty();
  }
}
