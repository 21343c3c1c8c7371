package dev.ferry.storage.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.producer.ProducerStateManager.BatchMetadata;
import dev.ferry.storage.producer.ProducerStateManager.Check;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The idempotent-producer state on its own: checks, duplicates, epochs, snapshots. */
class ProducerStateManagerTest {

  private static final long PID = 42;

  @TempDir Path tmp;

  private long nextOffset;

  /** One idempotent batch of {@code count} records at the next offset, timestamp = offset. */
  private List<MutableRecordBatch> batch(long pid, short epoch, int baseSeq, int count) {
    SimpleRecord[] recs = new SimpleRecord[count];
    for (int i = 0; i < count; i++) {
      recs[i] = new SimpleRecord(nextOffset + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
    }
    MemoryRecords records =
        MemoryRecords.withIdempotentRecords(
            nextOffset, Compression.NONE, pid, epoch, baseSeq, 0, recs);
    nextOffset += count;
    List<MutableRecordBatch> out = new ArrayList<>();
    records.batches().forEach(out::add);
    return out;
  }

  /** Checks then applies, as the log does around a successful write. */
  private static void append(ProducerStateManager psm, List<MutableRecordBatch> batches) {
    Check check = psm.check(batches);
    assertThat(check.duplicate()).isNull();
    assertThat(check.duplicateBefore()).isEqualTo(-1);
    psm.apply(check.pending(), batches);
  }

  @Test
  void acceptsConsecutiveSequencesAndRecognisesARetriedBatch() {
    ProducerStateManager psm = new ProducerStateManager(tmp);
    append(psm, batch(PID, (short) 0, 0, 3)); // offsets 0-2, seq 0-2
    append(psm, batch(PID, (short) 0, 3, 2)); // offsets 3-4, seq 3-4
    assertThat(psm.entry(PID).lastSeq()).isEqualTo(4);

    nextOffset = 100; // a retry would be given new offsets: the check must answer the old ones
    Check retry = psm.check(batch(PID, (short) 0, 3, 2));
    assertThat(retry.duplicate()).isEqualTo(new BatchMetadata(3, 4, 3, 4, 4));
    assertThat(psm.lastBatchOffsets()).containsExactly(4L);
  }

  @Test
  void refusesGapsOldEpochsAndNewProducersNotStartingAtZero() {
    ProducerStateManager psm = new ProducerStateManager(tmp);
    assertThatThrownBy(() -> psm.check(batch(PID, (short) 0, 5, 1)))
        .isInstanceOf(OutOfOrderSequenceException.class)
        .hasMessageContaining("must start at sequence 0");
    append(psm, batch(PID, (short) 1, 0, 2));
    assertThatThrownBy(() -> psm.check(batch(PID, (short) 1, 3, 1)))
        .isInstanceOf(OutOfOrderSequenceException.class)
        .hasMessageContaining("expected sequence 2, got 3");
    assertThatThrownBy(() -> psm.check(batch(PID, (short) 0, 2, 1)))
        .isInstanceOf(InvalidProducerEpochException.class);
    // a new epoch starts over at 0
    append(psm, batch(PID, (short) 2, 0, 1));
    assertThat(psm.entry(PID).lastSeq()).isZero();
  }

  @Test
  void aRetryOlderThanTheCachedBatchesIsADuplicateAtUnknownOffsets() {
    ProducerStateManager psm = new ProducerStateManager(tmp);
    for (int seq = 0; seq < 8; seq++) {
      append(psm, batch(PID, (short) 0, seq, 1));
    }
    Check old = psm.check(batch(PID, (short) 0, 1, 1)); // seq 1 left the cache of the last 5
    assertThat(old.duplicate()).isNull();
    assertThat(old.duplicateBefore()).isEqualTo(7); // the producer's last offset
  }

  @Test
  void checksLaterBatchesOfOneAppendAgainstEarlierOnes() {
    ProducerStateManager psm = new ProducerStateManager(tmp);
    List<MutableRecordBatch> two = new ArrayList<>(batch(PID, (short) 0, 0, 2));
    two.addAll(batch(PID, (short) 0, 2, 2));
    Check check = psm.check(two);
    assertThat(check.pending()).hasSize(2);
    psm.apply(check.pending(), two);
    assertThat(psm.entry(PID).lastSeq()).isEqualTo(3);

    List<MutableRecordBatch> gap = new ArrayList<>(batch(PID, (short) 0, 4, 1));
    gap.addAll(batch(PID, (short) 0, 6, 1));
    assertThatThrownBy(() -> psm.check(gap)).isInstanceOf(OutOfOrderSequenceException.class);
  }

  @Test
  void snapshotsRoundTripAndTheNewestReadableOneAtOrBelowTheLimitWins() throws IOException {
    ProducerStateManager psm = new ProducerStateManager(tmp);
    append(psm, batch(PID, (short) 0, 0, 2));
    append(psm, batch(7, (short) 3, 0, 1));
    psm.takeSnapshot(3);
    append(psm, batch(PID, (short) 0, 2, 1));
    psm.takeSnapshot(4);

    ProducerStateManager loaded = new ProducerStateManager(tmp);
    assertThat(loaded.loadLatestSnapshot(3)).isEqualTo(3);
    assertThat(loaded.producerIds()).containsExactlyInAnyOrder(PID, 7L);
    assertThat(loaded.entry(PID).lastSeq()).isEqualTo(1);
    assertThat(loaded.loadLatestSnapshot(Long.MAX_VALUE)).isEqualTo(4);
    assertThat(loaded.entry(PID).lastSeq()).isEqualTo(2);

    // a corrupt newest snapshot is deleted and the one before it used
    Path newest = tmp.resolve("00000000000000000004.snapshot");
    Files.write(newest, new byte[] {1, 2, 3});
    assertThat(loaded.loadLatestSnapshot(Long.MAX_VALUE)).isEqualTo(3);
    assertThat(newest).doesNotExist();

    loaded.deleteSnapshotsBelow(4); // the newest snapshot is always kept
    assertThat(loaded.loadLatestSnapshot(Long.MAX_VALUE)).isEqualTo(3);
    loaded.deleteSnapshotsAbove(2); // truncation below it
    assertThat(loaded.loadLatestSnapshot(Long.MAX_VALUE)).isEqualTo(-1);
    assertThat(loaded.producerIds()).isEmpty();
  }

  @Test
  void pruningForgetsProducersWhollyBelowTheLogStart() {
    ProducerStateManager psm = new ProducerStateManager(tmp);
    append(psm, batch(1, (short) 0, 0, 2)); // offsets 0-1
    append(psm, batch(2, (short) 0, 0, 2)); // offsets 2-3
    psm.pruneBefore(2);
    assertThat(psm.producerIds()).containsExactly(2L);
    psm.applyAsFollower(batch(3, (short) 5, 10, 1)); // a follower takes the leader's word
    assertThat(psm.entry(3).lastSeq()).isEqualTo(10);
  }

  @Test
  void sequenceWrapAroundCountsAsPreceding() {
    assertThat(ProducerStateManager.precedes(Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0)).isTrue();
    assertThat(ProducerStateManager.precedes(0, 1, 2)).isTrue();
    assertThat(ProducerStateManager.precedes(2, 3, 2)).isFalse();
  }
}
