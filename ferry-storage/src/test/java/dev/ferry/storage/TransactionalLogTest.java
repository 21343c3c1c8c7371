package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.cleaner.LogCleaner;
import dev.ferry.storage.txn.AbortedTxn;
import dev.ferry.storage.txn.LogTransactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions in one log: the last stable offset, markers, the aborted-transaction index, and that
 * all of it survives a restart (clean or not), truncation and compaction.
 */
class TransactionalLogTest {

  @TempDir Path tmp;

  static MemoryRecords txn(long pid, short epoch, int seq, String prefix, int count) {
    SimpleRecord[] rs = new SimpleRecord[count];
    for (int i = 0; i < count; i++) {
      rs[i] = new SimpleRecord(1L, (prefix + i).getBytes(), (prefix + "v" + i).getBytes());
    }
    return MemoryRecords.withTransactionalRecords(Compression.NONE, pid, epoch, seq, rs);
  }

  PartitionLog open(Path dir, boolean clean) {
    return PartitionLog.open(dir, LogTestSupport.small(), Time.SYSTEM, clean);
  }

  @Test
  void lastStableOffsetStopsAtTheOldestOpenTransaction() {
    try (PartitionLog log = open(tmp.resolve("t-0"), true)) {
      log.append(Batches.batch("plain", 2, 1), 0); // 0..1
      log.append(txn(7, (short) 0, 0, "a", 3), 0); // 2..4
      log.append(txn(8, (short) 0, 0, "b", 2), 0); // 5..6
      log.updateHighWatermark(log.logEndOffset());
      assertThat(log.lastStableOffset()).isEqualTo(2);
      assertThat(log.hasOngoingTransaction(7, (short) 0)).isTrue();

      AppendResult commit = log.appendMarker(7, (short) 0, 3, true, 0); // 7
      assertThat(commit.firstOffset()).isEqualTo(7);
      // Producer 8 is still open; the marker is not yet below the high watermark either.
      assertThat(log.lastStableOffset()).isEqualTo(2);
      log.updateHighWatermark(log.logEndOffset());
      assertThat(log.lastStableOffset()).isEqualTo(5);

      log.appendMarker(8, (short) 0, 3, false, 0); // 8
      log.updateHighWatermark(log.logEndOffset());
      assertThat(log.lastStableOffset()).isEqualTo(9);
      assertThat(log.abortedTransactions(0, 9)).containsExactly(new AbortedTxn(8, 5, 8, 5));
      assertThat(log.abortedTransactions(9, 9)).isEmpty();
      assertThat(log.hasOngoingTransaction(7, (short) 0)).isFalse();
    }
  }

  @Test
  void markersAreControlBatchesAndFenceOlderEpochs() {
    try (PartitionLog log = open(tmp.resolve("t-0"), true)) {
      log.append(txn(7, (short) 3, 0, "a", 1), 0);
      // A fencing abort at a bumped epoch: later batches of the old epoch are refused.
      log.appendMarker(7, (short) 4, 1, false, 0);
      assertThatThrownBy(() -> log.append(txn(7, (short) 3, 1, "z", 1), 0))
          .isInstanceOf(InvalidProducerEpochException.class);
      assertThatThrownBy(() -> log.appendMarker(7, (short) 3, 1, true, 0))
          .isInstanceOf(InvalidProducerEpochException.class);
      assertThatThrownBy(() -> log.appendMarker(7, (short) 4, 0, true, 0))
          .isInstanceOf(TransactionCoordinatorFencedException.class);
      // The new epoch starts its sequence at 0.
      log.append(txn(7, (short) 4, 0, "n", 1), 0);
      log.updateHighWatermark(log.logEndOffset());
      List<RecordBatch> batches = new ArrayList<>();
      log.read(0, 1 << 20, log.logEndOffset(), true).records().batches().forEach(batches::add);
      assertThat(batches).hasSize(3);
      assertThat(batches.get(1).isControlBatch()).isTrue();
      assertThat(batches.get(1).producerEpoch()).isEqualTo((short) 4);
      assertThat(LogTransactions.parseMarker(batches.get(1)))
          .isEqualTo(new LogTransactions.Marker(true, 1));
    }
  }

  @Test
  void stateSurvivesCleanAndUncleanRestarts() throws Exception {
    Path dir = tmp.resolve("t-0");
    try (PartitionLog log = open(dir, true)) {
      for (int i = 0; i < 30; i++) { // many segments of 4 KiB
        long pid = 100 + i;
        log.append(txn(pid, (short) 0, 0, "x" + i, 20), 0);
        if (i < 29) {
          log.appendMarker(pid, (short) 0, 0, i % 2 == 0, 0);
        }
      }
      log.updateHighWatermark(log.logEndOffset());
      assertThat(log.segmentCount()).isGreaterThan(2);
      Path crashed = LogTestSupport.crashCopy(dir, tmp.resolve("crash"));
      List<AbortedTxn> aborted = log.abortedTransactions(0, log.logEndOffset());
      assertThat(aborted).hasSize(14);
      long openFirst = log.lastStableOffset();

      // Unclean: the index entries after the last producer snapshot are rebuilt from the markers
      // replayed from there (the crash may have cut them off); older ones are on disk.
      deleteTxnIndexesFrom(crashed, latestSnapshot(crashed));
      try (PartitionLog reopened = open(crashed, false)) {
        reopened.updateHighWatermark(reopened.logEndOffset());
        assertThat(reopened.abortedTransactions(0, reopened.logEndOffset()))
            .extracting(AbortedTxn::producerId, AbortedTxn::firstOffset, AbortedTxn::lastOffset)
            .containsExactlyElementsOf(
                aborted.stream()
                    .map(
                        t ->
                            org.assertj.core.groups.Tuple.tuple(
                                t.producerId(), t.firstOffset(), t.lastOffset()))
                    .toList());
        assertThat(reopened.lastStableOffset()).isEqualTo(openFirst);
        assertThat(reopened.hasOngoingTransaction(129, (short) 0)).isTrue();
      }
    }
    // Clean: the snapshot carries the open transaction.
    try (PartitionLog reopened = open(dir, true)) {
      reopened.updateHighWatermark(reopened.logEndOffset());
      assertThat(reopened.hasOngoingTransaction(129, (short) 0)).isTrue();
      assertThat(reopened.abortedTransactions(0, reopened.logEndOffset())).hasSize(14);
      reopened.appendMarker(129, (short) 0, 0, true, 0);
      reopened.updateHighWatermark(reopened.logEndOffset());
      assertThat(reopened.lastStableOffset()).isEqualTo(reopened.logEndOffset());
    }
  }

  private static long latestSnapshot(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".snapshot"))
          .mapToLong(n -> Long.parseLong(n.substring(0, 20)))
          .max()
          .orElse(0);
    }
  }

  private static void deleteTxnIndexesFrom(Path dir, long offset) throws Exception {
    List<Long> bases = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".log"))
          .forEach(n -> bases.add(Long.parseLong(n.substring(0, 20))));
    }
    bases.sort(null);
    long from = bases.stream().filter(b -> b <= offset).mapToLong(b -> b).max().orElse(0);
    int deleted = 0;
    for (long b : bases) {
      Path f = dir.resolve(String.format("%020d.txnindex", b));
      if (b >= from && Files.exists(f)) {
        Files.delete(f);
        deleted++;
      }
    }
    assertThat(deleted).isGreaterThan(0);
  }

  @Test
  void truncationReopensATransactionWhoseMarkerIsCutOff() {
    try (PartitionLog log = open(tmp.resolve("t-0"), true)) {
      log.append(txn(7, (short) 0, 0, "a", 2), 0); // 0..1
      log.appendMarker(7, (short) 0, 0, false, 0); // 2
      log.updateHighWatermark(log.logEndOffset());
      assertThat(log.abortedTransactions(0, 3)).hasSize(1);
      log.truncateTo(2);
      log.updateHighWatermark(log.logEndOffset());
      assertThat(log.abortedTransactions(0, 3)).isEmpty();
      assertThat(log.hasOngoingTransaction(7, (short) 0)).isTrue();
      assertThat(log.lastStableOffset()).isEqualTo(0);
    }
  }

  @Test
  void followerAppliesReplicatedMarkers() {
    try (PartitionLog leader = open(tmp.resolve("l").resolve("t-0"), true);
        PartitionLog follower = open(tmp.resolve("f").resolve("t-0"), true)) {
      leader.append(txn(7, (short) 0, 0, "a", 2), 0);
      leader.appendMarker(7, (short) 0, 0, false, 0);
      leader.append(txn(7, (short) 0, 2, "b", 2), 0); // the next transaction
      MemoryRecords copy =
          Replication.copy(leader.read(0, 1 << 20, Long.MAX_VALUE, true).records());
      follower.appendAsFollower(copy);
      follower.updateHighWatermark(follower.logEndOffset());
      assertThat(follower.abortedTransactions(0, 5)).containsExactly(new AbortedTxn(7, 0, 2, 0));
      assertThat(follower.lastStableOffset()).isEqualTo(3);
    }
  }

  @Test
  void compactionDropsAbortedDataKeepsCommittedAndNeverTouchesOpenTransactions() throws Exception {
    LogConfig compact =
        LogTestSupport.small()
            .with(Map.of(LogConfig.CLEANUP_POLICY, "compact", LogConfig.DELETE_RETENTION_MS, "0"));
    try (PartitionLog log = PartitionLog.open(tmp.resolve("c-0"), compact, Time.SYSTEM, true)) {
      for (int i = 0; i < 40; i++) {
        long pid = 200 + i;
        log.append(txn(pid, (short) 0, 0, "k", 5), 0); // same keys k0..k4 every time
        log.appendMarker(pid, (short) 0, 0, i % 2 == 0, 0); // even: commit, odd: abort
      }
      log.append(txn(999, (short) 0, 0, "k", 5), 0); // open
      log.append(Batches.batch("tail", 1, 1), 0);
      log.updateHighWatermark(log.logEndOffset());
      long lso = log.lastStableOffset();
      LogCleaner cleaner =
          new LogCleaner(
              new LogCleaner.Config(true, 1_000, 1024 * 1024, 4096),
              () -> List.of(log),
              () -> {},
              Time.SYSTEM);
      assertThat(cleaner.cleanOnce()).isTrue();
      List<Record> data = new ArrayList<>();
      int markers = 0;
      List<RecordBatch> all = new ArrayList<>();
      for (MemoryRecords part : Replication.fetches(log, log.logStartOffset(), 1 << 20)) {
        part.batches().forEach(all::add);
      }
      for (RecordBatch b : all) {
        if (b.isControlBatch()) {
          markers++;
          continue;
        }
        for (Record r : b) {
          data.add(r);
          if (b.producerId() % 2 == 1 && b.producerId() < 999) {
            throw new AssertionError("aborted record of producer " + b.producerId() + " survived");
          }
        }
      }
      // The last committed transaction (producer 238) keeps k0..k4; the open one is untouched.
      List<String> cleanedKeys = new ArrayList<>();
      for (Record r : data) {
        if (r.offset() < lso) {
          byte[] k = new byte[r.key().remaining()];
          r.key().duplicate().get(k);
          cleanedKeys.add(new String(k));
        }
      }
      assertThat(cleanedKeys).containsExactlyInAnyOrder("k0", "k1", "k2", "k3", "k4");
      assertThat(data.stream().filter(r -> r.offset() >= lso)).hasSize(6);
      assertThat(markers).isGreaterThan(0);
      assertThat(log.lastStableOffset()).isEqualTo(lso);
    }
  }
}
