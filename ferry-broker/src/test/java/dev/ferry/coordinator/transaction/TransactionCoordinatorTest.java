package dev.ferry.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.coordinator.group.CoordinatorLog;
import dev.ferry.runtime.ManualClock;
import dev.ferry.storage.AppendResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The coordinator against an in-memory log, a fake marker sender and a clock moved by hand: every
 * step of a transaction, fencing, timeouts and a reload from the log.
 */
class TransactionCoordinatorTest {

  static final TopicPartition TP0 = new TopicPartition("out", 0);
  static final TopicPartition TP1 = new TopicPartition("out", 1);

  /** Appends batches to a list, assigning offsets. */
  static final class MemoryLog implements CoordinatorLog {
    final List<ByteBuffer> batches = new ArrayList<>();
    long end;
    boolean failing;

    @Override
    public synchronized CompletableFuture<AppendResult> append(MemoryRecords records) {
      if (failing) {
        return CompletableFuture.failedFuture(
            Errors.NOT_LEADER_OR_FOLLOWER.exception("not the leader"));
      }
      long first = end;
      for (MutableRecordBatch b : records.batches()) {
        b.setLastOffset(end + b.lastOffset() - b.baseOffset());
        end = b.lastOffset() + 1;
      }
      ByteBuffer copy = ByteBuffer.allocate(records.sizeInBytes());
      copy.put(records.buffer().duplicate()).flip();
      batches.add(copy);
      return CompletableFuture.completedFuture(new AppendResult(first, end - 1, -1, 0, false));
    }

    @Override
    public long logStartOffset() {
      return 0;
    }

    @Override
    public synchronized long logEndOffset() {
      return end;
    }

    @Override
    public synchronized Records read(long offset, int maxBytes) {
      int size = batches.stream().mapToInt(ByteBuffer::remaining).sum();
      ByteBuffer all = ByteBuffer.allocate(size);
      for (ByteBuffer b : batches) {
        all.put(b.duplicate());
      }
      all.flip();
      return MemoryRecords.readableRecords(all);
    }
  }

  /** Records marker requests; completes them when told to. */
  static final class FakeMarkers implements TransactionMarkerSender {
    final List<Markers> sent = new ArrayList<>();
    final List<CompletableFuture<Void>> pending = new ArrayList<>();
    boolean autoComplete = true;

    @Override
    public synchronized CompletableFuture<Void> send(
        Markers markers, java.util.function.BooleanSupplier stillCoordinator) {
      sent.add(markers);
      CompletableFuture<Void> f = new CompletableFuture<>();
      if (autoComplete) {
        f.complete(null);
      } else {
        pending.add(f);
      }
      return f;
    }
  }

  static final class Clock implements Time {
    final AtomicLong now = new AtomicLong(1_000_000);

    @Override
    public long milliseconds() {
      return now.get();
    }

    @Override
    public long nanoseconds() {
      return now.get() * 1_000_000;
    }

    @Override
    public void sleep(long ms) {
      now.addAndGet(ms);
    }
  }

  final Clock clock = new Clock();
  final MemoryLog log = new MemoryLog();
  final FakeMarkers markers = new FakeMarkers();
  final AtomicLong nextPid = new AtomicLong(1000);
  TransactionCoordinator coordinator;

  TransactionCoordinator start(MemoryLog partitionLog) throws Exception {
    TransactionCoordinatorConfig defaults = TransactionCoordinatorConfig.defaults();
    TransactionCoordinatorConfig config =
        new TransactionCoordinatorConfig(
            1, (short) 1, 1, 1 << 20, 1 << 20, 60_000, 3_600_000L, 3_600_000L, 3_600_000L, 5_000);
    assertThat(defaults.numPartitions()).isEqualTo(50);
    TransactionCoordinator c =
        new TransactionCoordinator(
            config, clock, () -> CompletableFuture.completedFuture(nextPid.getAndIncrement()));
    c.startup(markers);
    c.onBecomeCoordinator(0, 7, partitionLog).get(10, TimeUnit.SECONDS);
    return c;
  }

  @AfterEach
  void stop() {
    if (coordinator != null) {
      coordinator.close();
    }
  }

  TransactionResult init(String id) throws Exception {
    return coordinator.initProducerId(id, 10_000, -1, (short) -1).get(5, TimeUnit.SECONDS);
  }

  Map<TopicPartition, Errors> add(String id, TransactionResult p, TopicPartition... tps)
      throws Exception {
    return coordinator
        .addPartitions(id, p.producerId(), p.producerEpoch(), Set.of(tps), false, (byte) 0)
        .get(5, TimeUnit.SECONDS);
  }

  TransactionState state(String id) {
    return coordinator.describe(id).orElseThrow().state();
  }

  @Test
  void commitGoesThroughPrepareAndMarkersToComplete() throws Exception {
    coordinator = start(log);
    TransactionResult p = init("app");
    assertThat(p.error()).isEqualTo(Errors.NONE);
    assertThat(p.producerId()).isEqualTo(1000);
    assertThat(p.producerEpoch()).isEqualTo((short) 0);
    assertThat(add("app", p, TP0, TP1))
        .containsEntry(TP0, Errors.NONE)
        .containsEntry(TP1, Errors.NONE);
    assertThat(state("app")).isEqualTo(TransactionState.ONGOING);

    markers.autoComplete = false;
    TransactionResult end =
        coordinator.endTransaction("app", 1000, (short) 0, true, false).get(5, TimeUnit.SECONDS);
    assertThat(end.error()).isEqualTo(Errors.NONE);
    assertThat(state("app")).isEqualTo(TransactionState.PREPARE_COMMIT);
    assertThat(markers.sent).hasSize(1);
    assertThat(markers.sent.get(0).partitions()).containsExactlyInAnyOrder(TP0, TP1);
    assertThat(markers.sent.get(0).commit()).isTrue();
    assertThat(markers.sent.get(0).coordinatorEpoch()).isEqualTo(7);
    // While markers are written, a new transaction must wait.
    assertThat(add("app", p, TP0)).containsEntry(TP0, Errors.CONCURRENT_TRANSACTIONS);

    markers.pending.get(0).complete(null);
    assertThat(state("app")).isEqualTo(TransactionState.COMPLETE_COMMIT);
    // A retried EndTxn(commit) succeeds; an abort now is an error.
    assertThat(coordinator.endTransaction("app", 1000, (short) 0, true, false).get().error())
        .isEqualTo(Errors.NONE);
    assertThat(coordinator.endTransaction("app", 1000, (short) 0, false, false).get().error())
        .isEqualTo(Errors.INVALID_TXN_STATE);
  }

  @Test
  void endWithoutAnOpenTransactionIsInvalidState() throws Exception {
    coordinator = start(log);
    TransactionResult p = init("app");
    assertThat(coordinator.endTransaction("app", 1000, (short) 0, true, false).get().error())
        .isEqualTo(Errors.INVALID_TXN_STATE);
    assertThat(coordinator.endTransaction("nobody", 1000, (short) 0, true, false).get().error())
        .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
    assertThat(p.error()).isEqualTo(Errors.NONE);
  }

  @Test
  void secondInstanceFencesTheFirstAndAbortsItsTransaction() throws Exception {
    coordinator = start(log);
    TransactionResult first = init("app");
    add("app", first, TP0);
    // The new instance is told to retry while the open transaction is aborted at a bumped epoch.
    assertThat(init("app").error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
    assertThat(markers.sent).hasSize(1);
    assertThat(markers.sent.get(0).commit()).isFalse();
    assertThat(markers.sent.get(0).producerEpoch()).isEqualTo((short) 1);
    assertThat(state("app")).isEqualTo(TransactionState.COMPLETE_ABORT);
    TransactionResult second = init("app");
    assertThat(second.error()).isEqualTo(Errors.NONE);
    assertThat(second.producerId()).isEqualTo(first.producerId());
    assertThat(second.producerEpoch()).isEqualTo((short) 2);
    // The zombie is fenced everywhere.
    assertThat(add("app", first, TP1)).containsEntry(TP1, Errors.PRODUCER_FENCED);
    assertThat(coordinator.endTransaction("app", 1000, (short) 0, true, false).get().error())
        .isEqualTo(Errors.PRODUCER_FENCED);
  }

  @Test
  void timedOutTransactionIsAbortedAndItsProducerFenced() throws Exception {
    coordinator = start(log);
    TransactionResult p = init("app");
    add("app", p, TP0);
    clock.now.addAndGet(9_000);
    coordinator.abortTimedOutTransactions();
    assertThat(state("app")).isEqualTo(TransactionState.ONGOING);
    clock.now.addAndGet(2_000);
    coordinator.abortTimedOutTransactions();
    assertThat(state("app")).isEqualTo(TransactionState.COMPLETE_ABORT);
    assertThat(markers.sent.get(0).commit()).isFalse();
    assertThat(coordinator.endTransaction("app", 1000, (short) 0, true, false).get().error())
        .isEqualTo(Errors.PRODUCER_FENCED);
  }

  @Test
  void timeoutsAndExpiryRunOnTheInjectedSchedulerAsTheClockMoves() throws Exception {
    ManualClock manual = new ManualClock(1_000_000);
    TransactionCoordinatorConfig config =
        new TransactionCoordinatorConfig(
            1, (short) 1, 1, 1 << 20, 1 << 20, 60_000, 300_000L, 1_000L, 60_000L, 5_000);
    coordinator =
        new TransactionCoordinator(
            config,
            manual,
            () -> CompletableFuture.completedFuture(nextPid.getAndIncrement()),
            manual);
    coordinator.startup(markers);
    coordinator.onBecomeCoordinator(0, 7, log).get(10, TimeUnit.SECONDS);
    // The two periodic checks wait on the shared scheduler; no timer thread of its own.
    assertThat(manual.pendingTasks()).isEqualTo(2);

    TransactionResult p = init("app"); // transaction.timeout.ms 10 s
    add("app", p, TP0);
    manual.advance(9_000);
    assertThat(state("app")).isEqualTo(TransactionState.ONGOING);
    manual.advance(2_000); // past the timeout: the next check (every 1 s) aborts it
    assertThat(state("app")).isEqualTo(TransactionState.COMPLETE_ABORT);
    assertThat(markers.sent).singleElement().satisfies(m -> assertThat(m.commit()).isFalse());

    // Idle for transactional.id.expiration.ms: the next expiry check (every 60 s) removes it.
    manual.advance(240_000);
    assertThat(coordinator.describe("app")).isPresent();
    manual.advance(120_000);
    assertThat(coordinator.describe("app")).isEmpty();

    coordinator.close();
    coordinator = null;
    assertThat(manual.pendingTasks()).isZero(); // the checks are cancelled, the scheduler lives
    assertThat(manual.isShutdown()).isFalse();
  }

  @Test
  void transactionsV2BumpTheEpochOnEveryEndAndMayAbortWithNothingOpen() throws Exception {
    coordinator = start(log);
    TransactionResult p = init("app");
    coordinator
        .addPartitions("app", p.producerId(), p.producerEpoch(), Set.of(TP0), false, (byte) 2)
        .get();
    TransactionResult end = coordinator.endTransaction("app", 1000, (short) 0, true, true).get();
    assertThat(end).isEqualTo(new TransactionResult(Errors.NONE, 1000, (short) 1));
    assertThat(markers.sent.get(0).producerEpoch()).isEqualTo((short) 1);
    // A retry with the old epoch gets the same answer.
    assertThat(coordinator.endTransaction("app", 1000, (short) 0, true, true).get())
        .isEqualTo(new TransactionResult(Errors.NONE, 1000, (short) 1));
    TransactionResult abort = coordinator.endTransaction("app", 1000, (short) 1, false, true).get();
    assertThat(abort).isEqualTo(new TransactionResult(Errors.NONE, 1000, (short) 2));
    assertThat(state("app")).isEqualTo(TransactionState.COMPLETE_ABORT);
  }

  @Test
  void verifyOnlyReportsWhetherPartitionsAreInTheTransaction() throws Exception {
    coordinator = start(log);
    TransactionResult p = init("app");
    add("app", p, TP0);
    Map<TopicPartition, Errors> verified =
        coordinator.addPartitions("app", 1000, (short) 0, Set.of(TP0, TP1), true, (byte) 0).get();
    assertThat(verified)
        .containsEntry(TP0, Errors.NONE)
        .containsEntry(TP1, Errors.INVALID_TXN_STATE);
    assertThat(state("app")).isEqualTo(TransactionState.ONGOING);
    assertThat(coordinator.describe("app").orElseThrow().record().partitions())
        .containsExactly(TP0);
  }

  @Test
  void aNewCoordinatorLoadsTheLogAndFinishesPreparedTransactions() throws Exception {
    coordinator = start(log);
    TransactionResult p = init("app");
    add("app", p, TP0);
    markers.autoComplete = false;
    coordinator.endTransaction("app", 1000, (short) 0, false, false).get();
    init("other");
    coordinator.close();

    markers.sent.clear();
    markers.autoComplete = true;
    coordinator = start(log);
    assertThat(markers.sent).hasSize(1);
    assertThat(markers.sent.get(0).commit()).isFalse();
    assertThat(markers.sent.get(0).partitions()).containsExactly(TP0);
    assertThat(state("app")).isEqualTo(TransactionState.COMPLETE_ABORT);
    assertThat(state("other")).isEqualTo(TransactionState.EMPTY);
    assertThat(coordinator.describe("other").orElseThrow().record().producerId()).isEqualTo(1001);
  }

  @Test
  void failedWriteLeavesTheStateUnchanged() throws Exception {
    coordinator = start(log);
    TransactionResult p = init("app");
    log.failing = true;
    assertThat(add("app", p, TP0)).containsEntry(TP0, Errors.NOT_COORDINATOR);
    assertThat(state("app")).isEqualTo(TransactionState.EMPTY);
    log.failing = false;
    assertThat(add("app", p, TP0)).containsEntry(TP0, Errors.NONE);
  }

  @Test
  void badTimeoutsAndUnownedIdsAreRefused() throws Exception {
    coordinator = start(log);
    assertThat(coordinator.initProducerId("app", 60_001, -1, (short) -1).get().error())
        .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
    coordinator.onResignCoordinator(0);
    assertThat(init("app").error()).isEqualTo(Errors.NOT_COORDINATOR);
  }

  @Test
  void idleIdsExpire() throws Exception {
    coordinator = start(log);
    init("app");
    clock.now.addAndGet(3_600_001);
    coordinator.removeExpiredTransactionalIds();
    assertThat(coordinator.describe("app")).isEmpty();
    coordinator.close();
    coordinator = start(log);
    assertThat(coordinator.describe("app")).isEmpty();
  }
}
