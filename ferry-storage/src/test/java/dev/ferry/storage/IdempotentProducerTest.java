package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.producer.ProducerStateManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdempotentProducerTest {

  @TempDir Path tmp;

  private static final long PID = 1000L;
  private static final short EPOCH = 3;

  private PartitionLog open(Path dir, boolean clean) {
    return PartitionLog.open(dir, LogTestSupport.small(), Time.SYSTEM, clean);
  }

  @Test
  void duplicateBatchReturnsOriginalOffsetsAndIsNotWrittenTwice() {
    try (PartitionLog log = open(tmp.resolve("p-0"), true)) {
      log.append(Batches.batch("plain", 4, 1), 0); // 0..3
      AppendResult first = log.append(Batches.idempotent(PID, EPOCH, 0, "a", 3), 0); // 4..6
      AppendResult second = log.append(Batches.idempotent(PID, EPOCH, 3, "b", 2), 0); // 7..8
      long size = log.sizeInBytes();

      AppendResult retryFirst = log.append(Batches.idempotent(PID, EPOCH, 0, "a", 3), 0);
      AppendResult retrySecond = log.append(Batches.idempotent(PID, EPOCH, 3, "b", 2), 0);

      assertThat(first.firstOffset()).isEqualTo(4);
      assertThat(retryFirst.duplicate()).isTrue();
      assertThat(retryFirst.firstOffset()).isEqualTo(4);
      assertThat(retryFirst.lastOffset()).isEqualTo(6);
      assertThat(retrySecond.firstOffset()).isEqualTo(second.firstOffset()).isEqualTo(7);
      assertThat(retrySecond.lastOffset()).isEqualTo(8);
      assertThat(log.sizeInBytes()).isEqualTo(size);
      assertThat(log.logEndOffset()).isEqualTo(9);
    }
  }

  @Test
  void aRetryOlderThanTheLastFiveBatchesIsADuplicateAtUnknownOffsets() {
    try (PartitionLog log = open(tmp.resolve("p-0"), true)) {
      for (int i = 0; i < 7; i++) {
        log.append(Batches.idempotent(PID, EPOCH, i, "s" + i, 1), 0); // seq i at offset i
      }
      long size = log.sizeInBytes();
      AppendResult cached = log.append(Batches.idempotent(PID, EPOCH, 2, "s2", 1), 0);
      assertThat(cached.duplicate()).isTrue();
      assertThat(cached.offsetsUnknown()).isFalse();
      assertThat(cached.firstOffset()).isEqualTo(2);

      // Sequences 0 and 1 left the cache, but the epoch's sequences have no gap: written before.
      AppendResult forgotten = log.append(Batches.idempotent(PID, EPOCH, 1, "s1", 1), 0);
      assertThat(forgotten.duplicate()).isTrue();
      assertThat(forgotten.offsetsUnknown()).isTrue();
      assertThat(forgotten.firstOffset()).isEqualTo(-1);
      assertThat(forgotten.lastOffset()).as("waiting up to here covers the original").isEqualTo(6);
      assertThat(log.sizeInBytes()).isEqualTo(size);
      assertThat(log.logEndOffset()).isEqualTo(7);

      // A batch that reaches past the last sequence is no retry: out of order.
      assertThatThrownBy(() -> log.append(Batches.idempotent(PID, EPOCH, 5, "s5-7", 3), 0))
          .isInstanceOf(OutOfOrderSequenceException.class);
      // Nor is one from an older epoch of the producer.
      assertThatThrownBy(
              () -> log.append(Batches.idempotent(PID, (short) (EPOCH - 1), 0, "s0", 1), 0))
          .isInstanceOf(InvalidProducerEpochException.class);
      assertThat(log.logEndOffset()).isEqualTo(7);
    }
  }

  @Test
  void precedesLooksBackAcrossTheSequenceWrapButNotAhead() {
    int max = Integer.MAX_VALUE;
    assertThat(ProducerStateManager.precedes(0, 0, 1)).isTrue();
    assertThat(ProducerStateManager.precedes(3, 5, 6)).isTrue();
    assertThat(ProducerStateManager.precedes(3, 6, 6)).as("reaches the expected one").isFalse();
    assertThat(ProducerStateManager.precedes(7, 7, 6)).as("ahead: a gap").isFalse();
    assertThat(ProducerStateManager.precedes(max - 1, max, 0)).as("just before the wrap").isTrue();
    assertThat(ProducerStateManager.precedes(max, 1, 2)).as("across the wrap").isTrue();
    assertThat(ProducerStateManager.precedes(10, 10, 10 + (max / 2) + 2))
        .as("more than half the space back reads as ahead")
        .isFalse();
  }

  @Test
  void sequenceGapStaleEpochAndBadStartsAreRejected() {
    try (PartitionLog log = open(tmp.resolve("p-0"), true)) {
      log.append(Batches.idempotent(PID, EPOCH, 0, "a", 2), 0); // seq 0..1
      assertThatThrownBy(() -> log.append(Batches.idempotent(PID, EPOCH, 3, "gap", 1), 0))
          .isInstanceOf(OutOfOrderSequenceException.class);
      assertThatThrownBy(
              () -> log.append(Batches.idempotent(PID, (short) (EPOCH - 1), 2, "old", 1), 0))
          .isInstanceOf(InvalidProducerEpochException.class);
      assertThatThrownBy(() -> log.append(Batches.idempotent(7L, (short) 0, 5, "new", 1), 0))
          .isInstanceOf(OutOfOrderSequenceException.class);
      assertThatThrownBy(
              () -> log.append(Batches.idempotent(PID, (short) (EPOCH + 1), 2, "bump", 1), 0))
          .isInstanceOf(OutOfOrderSequenceException.class);
      assertThat(log.logEndOffset()).isEqualTo(2);

      // a new epoch starting at 0 is fine; then the old epoch is fenced
      assertThat(
              log.append(Batches.idempotent(PID, (short) (EPOCH + 1), 0, "e", 1), 0).firstOffset())
          .isEqualTo(2);
      assertThatThrownBy(() -> log.append(Batches.idempotent(PID, EPOCH, 2, "late", 1), 0))
          .isInstanceOf(InvalidProducerEpochException.class);
    }
  }

  @Test
  void sequenceWrapsAfterIntMax() {
    ProducerStateManager psm = new ProducerStateManager(tmp);
    MemoryRecords nearMax =
        MemoryRecords.withIdempotentRecords(
            Compression.NONE, PID, EPOCH, Integer.MAX_VALUE - 1, Batches.records("m", 2, 1));
    psm.replay(nearMax.buffer(), 0); // sequences MAX-1 and MAX
    assertThat(psm.entry(PID).lastSeq()).isEqualTo(Integer.MAX_VALUE);

    MemoryRecords wrapped = Batches.idempotent(PID, EPOCH, 0, "w", 1);
    assertThat(psm.check(List.copyOf(toList(wrapped))).pending()).hasSize(1);
    MemoryRecords skipped = Batches.idempotent(PID, EPOCH, 1, "s", 1);
    assertThatThrownBy(() -> psm.check(toList(skipped)))
        .isInstanceOf(OutOfOrderSequenceException.class);
  }

  private static List<MutableRecordBatch> toList(MemoryRecords records) {
    List<MutableRecordBatch> out = new ArrayList<>();
    records.batches().forEach(out::add);
    return out;
  }

  @Test
  void multipleBatchesOfOneProducerInOneAppendAreCheckedInOrder() {
    try (PartitionLog log = open(tmp.resolve("p-0"), true)) {
      AppendResult r =
          log.append(
              Batches.concat(
                  Batches.idempotent(PID, EPOCH, 0, "a", 2),
                  Batches.idempotent(PID, EPOCH, 2, "b", 2)),
              0);
      assertThat(r.lastOffset()).isEqualTo(3);
      assertThatThrownBy(
              () ->
                  log.append(
                      Batches.concat(
                          Batches.idempotent(PID, EPOCH, 4, "c", 1),
                          Batches.idempotent(PID, EPOCH, 9, "d", 1)),
                      0))
          .isInstanceOf(OutOfOrderSequenceException.class);
      assertThat(log.logEndOffset()).isEqualTo(4); // all or nothing
    }
  }

  @Test
  void stateSurvivesCleanCloseAndReopen() {
    Path dir = tmp.resolve("p-0");
    try (PartitionLog log = open(dir, true)) {
      for (int i = 0; i < 100; i++) { // several rolls, so several snapshots
        log.append(Batches.idempotent(PID, EPOCH, i * 2, "x" + i, 2), 0);
      }
      assertThat(log.segmentCount()).isGreaterThan(1);
    }
    try (PartitionLog log = open(dir, true)) {
      assertThat(log.loadStats().replayedBatches()).isZero(); // snapshot at the log end
      AppendResult dup = log.append(Batches.idempotent(PID, EPOCH, 198, "x99", 2), 0);
      assertThat(dup.duplicate()).isTrue();
      assertThat(dup.firstOffset()).isEqualTo(198);
      assertThatThrownBy(() -> log.append(Batches.idempotent(PID, EPOCH, 201, "gap", 1), 0))
          .isInstanceOf(OutOfOrderSequenceException.class);
      assertThat(log.append(Batches.idempotent(PID, EPOCH, 200, "next", 1), 0).firstOffset())
          .isEqualTo(200);
    }
  }

  @Test
  void stateSurvivesUncleanStopByReplayingAfterTheLastSnapshot() throws Exception {
    Path dir = tmp.resolve("p-0");
    Path crashed;
    try (PartitionLog log = open(dir, true)) {
      for (int i = 0; i < 100; i++) {
        log.append(Batches.idempotent(PID, EPOCH, i * 2, "x" + i, 2), 0);
      }
      assertThat(log.segmentCount()).isGreaterThan(1);
      log.append(Batches.idempotent(2000L, (short) 0, 0, "other", 1), 0);
      crashed = LogTestSupport.crashCopy(dir, tmp.resolve("crash"));
    }
    try (PartitionLog log = open(crashed, false)) {
      assertThat(log.logEndOffset()).isEqualTo(201);
      // replayed only the batches after the last roll's snapshot, not the whole log
      assertThat(log.loadStats().replayedBatches()).isPositive().isLessThan(101);
      assertThat(log.append(Batches.idempotent(PID, EPOCH, 198, "x99", 2), 0).duplicate()).isTrue();
      AppendResult other = log.append(Batches.idempotent(2000L, (short) 0, 0, "other", 1), 0);
      assertThat(other.duplicate()).isTrue();
      assertThat(other.firstOffset()).isEqualTo(200);
      assertThat(log.append(Batches.idempotent(PID, EPOCH, 200, "next", 1), 0).firstOffset())
          .isEqualTo(201);
    }
  }

  @Test
  void producersBelowTheLogStartArePruned() {
    try (PartitionLog log = open(tmp.resolve("p-0"), true)) {
      log.append(Batches.idempotent(1L, (short) 0, 0, "gone", 1), 0); // offset 0
      log.append(Batches.idempotent(2L, (short) 0, 0, "kept", 1), 0); // offset 1
      log.advanceLogStartOffset(1);
      assertThat(log.producerState().producerIds()).containsExactly(2L);
    }
  }
}
