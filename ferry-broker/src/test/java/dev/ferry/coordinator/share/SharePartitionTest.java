package dev.ferry.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The share-partition state machine on an in-memory log, with lock expiries run by hand and an
 * in-memory state store: acquisition, acknowledgement types, Kafka's errors for bad input, lock
 * expiry, the delivery count limit, the lock window and a reload from the persisted state.
 */
class SharePartitionTest {

  private static final SharePartitionKey KEY =
      new SharePartitionKey("g", new TopicIdPartition(Uuid.randomUuid(), 0, "t"));

  /** Batches of 5 records each at offsets 0-4, 5-9, ... up to the high watermark. */
  private static final class FakeLog implements ShareLog {
    long highWatermark;

    @Override
    public Records read(long offset, int maxBytes) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      long base = offset - offset % 5;
      for (long b = base; b < highWatermark; b += 5) {
        SimpleRecord[] rs = new SimpleRecord[5];
        for (int i = 0; i < 5; i++) {
          rs[i] = new SimpleRecord(("v" + (b + i)).getBytes());
        }
        buf.put(MemoryRecords.withRecords(b, Compression.NONE, rs).buffer());
      }
      buf.flip();
      return MemoryRecords.readableRecords(buf);
    }

    @Override
    public long logStartOffset() {
      return 0;
    }

    @Override
    public long highWatermark() {
      return highWatermark;
    }

    @Override
    public int leaderEpoch() {
      return 0;
    }
  }

  private static final class MemoryStore implements ShareStateStore {
    final Map<SharePartitionKey, ShareStateSnapshot> states = new HashMap<>();

    @Override
    public Optional<ShareStateSnapshot> read(SharePartitionKey key) {
      return Optional.ofNullable(states.get(key));
    }

    @Override
    public CompletableFuture<Void> write(
        SharePartitionKey key, int leaderEpoch, ShareStateSnapshot state) {
      states.put(key, state);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void delete(SharePartitionKey key) {
      states.remove(key);
    }

    @Override
    public List<SharePartitionKey> keys(String groupId) {
      return states.keySet().stream().filter(k -> k.groupId().equals(groupId)).toList();
    }
  }

  private final FakeLog log = new FakeLog();
  private final MemoryStore store = new MemoryStore();
  private final List<Runnable> locks = new ArrayList<>();
  private int wakeUps;
  private SharePartition sp;

  @BeforeEach
  void setUp() {
    log.highWatermark = 20;
    sp = partition(new ShareGroupSettings(1000, 3, 100, true));
  }

  private SharePartition partition(ShareGroupSettings settings) {
    return new SharePartition(
        KEY,
        log,
        settings,
        store,
        (task, delay, unit) -> {
          assertThat(unit.toMillis(delay)).isEqualTo(settings.recordLockDurationMs());
          locks.add(task);
        },
        () -> wakeUps++,
        store.read(KEY).orElse(null));
  }

  /** Acknowledges and waits for the (here synchronous) state write. */
  private static Errors acknowledge(
      SharePartition p, String memberId, List<SharePartition.AckBatch> batches) {
    return p.acknowledge(memberId, batches).join();
  }

  private static SharePartition.AckBatch ack(long first, long last, byte type) {
    return new SharePartition.AckBatch(first, last, List.of(type));
  }

  private static List<long[]> ranges(SharePartition.Acquisition a) {
    List<long[]> out = new ArrayList<>();
    for (AcquiredRecords r : a.acquired()) {
      out.add(new long[] {r.firstOffset(), r.lastOffset(), r.deliveryCount()});
    }
    return out;
  }

  @Test
  void acquiresWholeBatchesUpToTheRecordLimitAndNeverTwice() {
    SharePartition.Acquisition a = sp.acquire("m1", 7, 1 << 20);
    assertThat(ranges(a)).containsExactly(new long[] {0, 9, 1});
    assertThat(a.count()).isEqualTo(10);
    int batches = 0;
    for (RecordBatch b : a.records().batches()) {
      batches++;
    }
    assertThat(batches).isEqualTo(2);
    SharePartition.Acquisition b = sp.acquire("m2", 100, 1 << 20);
    assertThat(ranges(b)).containsExactly(new long[] {10, 19, 1});
    assertThat(sp.acquire("m3", 100, 1 << 20).count()).isZero();
  }

  @Test
  void acceptAdvancesTheStartReleaseRedeliversRejectArchives() {
    sp.acquire("m1", 10, 1 << 20);
    assertThat(
            acknowledge(
                sp,
                "m1",
                List.of(
                    ack(0, 4, SharePartition.ACCEPT),
                    ack(5, 5, SharePartition.RELEASE),
                    ack(6, 9, SharePartition.REJECT))))
        .isEqualTo(Errors.NONE);
    assertThat(sp.startOffset()).isEqualTo(5);
    assertThat(sp.stateOf(5)).isEqualTo(SharePartition.AVAILABLE);
    assertThat(sp.stateOf(6)).isEqualTo(SharePartition.ARCHIVED);
    assertThat(wakeUps).isEqualTo(1);
    SharePartition.Acquisition again = sp.acquire("m2", 1, 1 << 20);
    assertThat(ranges(again)).containsExactly(new long[] {5, 5, 2});
  }

  @Test
  void deliveryCompleteCountIsTheDoneRecordsPastTheStartAsPersisted() {
    sp.acquire("m1", 10, 1 << 20);
    assertThat(
            acknowledge(
                sp,
                "m1",
                List.of(
                    ack(0, 1, SharePartition.ACCEPT),
                    ack(3, 4, SharePartition.ACCEPT),
                    ack(6, 6, SharePartition.REJECT))))
        .isEqualTo(Errors.NONE);
    // start 2; past it 3, 4 (acknowledged) and 6 (archived) are done: Kafka's lag leaves them out
    assertThat(sp.startOffset()).isEqualTo(2);
    assertThat(sp.deliveryCompleteCount()).isEqualTo(3);
    assertThat(store.states.get(KEY).startOffset()).isEqualTo(2);
    assertThat(store.states.get(KEY).deliveryCompleteCount()).isEqualTo(3);
  }

  @Test
  void aRetiredPartitionAcquiresAndWritesNothing() {
    sp.acquire("m1", 10, 1 << 20);
    ShareStateSnapshot replaced = new ShareStateSnapshot(15, List.of());
    sp.retire();
    store.write(KEY, 0, replaced);
    // the lock expiry of the old acquisition must not write the old state back
    locks.forEach(Runnable::run);
    assertThat(store.states.get(KEY)).isEqualTo(replaced);
    assertThat(sp.acquire("m2", 10, 1 << 20).count()).isZero();
    assertThat(sp.hasAcquirable()).isFalse();
    // the replacement, loaded afresh, starts at the altered offset
    SharePartition fresh = partition(new ShareGroupSettings(1000, 3, 100, true));
    assertThat(fresh.startOffset()).isEqualTo(15);
    assertThat(ranges(fresh.acquire("m2", 100, 1 << 20))).containsExactly(new long[] {15, 19, 1});
  }

  @Test
  void badAcknowledgementsGetKafkasErrorsAndChangeNothing() {
    sp.acquire("m1", 5, 1 << 20);
    // Another member's records, and records never acquired.
    assertThat(acknowledge(sp, "m2", List.of(ack(0, 0, SharePartition.ACCEPT))))
        .isEqualTo(Errors.INVALID_RECORD_STATE);
    assertThat(acknowledge(sp, "m1", List.of(ack(3, 7, SharePartition.ACCEPT))))
        .isEqualTo(Errors.INVALID_RECORD_STATE);
    // An unknown type, a reversed range, a type list of the wrong length.
    assertThat(acknowledge(sp, "m1", List.of(ack(0, 0, (byte) 9))))
        .isEqualTo(Errors.INVALID_REQUEST);
    assertThat(acknowledge(sp, "m1", List.of(ack(3, 1, SharePartition.ACCEPT))))
        .isEqualTo(Errors.INVALID_REQUEST);
    assertThat(
            acknowledge(
                sp, "m1", List.of(new SharePartition.AckBatch(0, 2, List.of((byte) 1, (byte) 1)))))
        .isEqualTo(Errors.INVALID_REQUEST);
    for (long o = 0; o < 5; o++) {
      assertThat(sp.stateOf(o)).isEqualTo(SharePartition.ACQUIRED);
    }
    // Acknowledged once, then again: no longer acquired.
    assertThat(acknowledge(sp, "m1", List.of(ack(0, 4, SharePartition.ACCEPT))))
        .isEqualTo(Errors.NONE);
    assertThat(acknowledge(sp, "m1", List.of(ack(0, 0, SharePartition.ACCEPT))))
        .isEqualTo(Errors.INVALID_RECORD_STATE);
  }

  @Test
  void expiredLocksReleaseAndTheDeliveryLimitArchives() {
    for (int delivery = 1; delivery <= 3; delivery++) {
      SharePartition.Acquisition a = sp.acquire("m" + delivery, 1, 1 << 20);
      assertThat(ranges(a).get(0)).containsExactly(0, 4, delivery);
      locks.remove(0).run();
    }
    // Third delivery's lock expired at the limit (3): archived, never delivered again.
    assertThat(sp.stateOf(0)).isEqualTo(SharePartition.ARCHIVED);
    assertThat(sp.startOffset()).isEqualTo(5);
    assertThat(ranges(sp.acquire("m4", 1, 1 << 20)).get(0)).containsExactly(5, 9, 1);
  }

  @Test
  void recordsReturnedUndeliveredKeepTheirDeliveryCountAndOnlyTheMembersGoBack() {
    SharePartition.Acquisition first = sp.acquire("m1", 5, 1 << 20);
    acknowledge(sp, "m1", List.of(ack(0, 4, SharePartition.RELEASE)));
    SharePartition.Acquisition unsent = sp.acquire("m1", 10, 1 << 20); // 0-4 again, 5-9 new
    assertThat(ranges(unsent)).containsExactly(new long[] {0, 4, 2}, new long[] {5, 9, 1});
    SharePartition.Acquisition other = sp.acquire("m2", 5, 1 << 20);
    assertThat(ranges(other)).containsExactly(new long[] {10, 14, 1});
    int before = wakeUps;

    sp.returnUndelivered("m1", unsent.acquired());
    // m2's records are in none of m1's ranges; a range naming them changes nothing either.
    sp.returnUndelivered("m1", other.acquired());

    assertThat(wakeUps).isEqualTo(before + 1);
    assertThat(sp.deliveryCountOf(0)).isEqualTo((short) 1);
    assertThat(sp.deliveryCountOf(5)).isZero();
    assertThat(sp.stateOf(10)).isEqualTo(SharePartition.ACQUIRED);
    assertThat(ranges(sp.acquire("m3", 10, 1 << 20)))
        .containsExactly(new long[] {0, 4, 2}, new long[] {5, 9, 1});
    assertThat(first.count()).isEqualTo(5);
  }

  @Test
  void anExpiredLockDoesNotReleaseRecordsAcknowledgedOrAcquiredAgain() {
    sp.acquire("m1", 10, 1 << 20);
    Runnable firstLock = locks.get(0);
    acknowledge(
        sp, "m1", List.of(ack(0, 4, SharePartition.ACCEPT), ack(5, 9, SharePartition.RELEASE)));
    sp.acquire("m2", 5, 1 << 20); // 5-9 again, second delivery, under a new lock
    firstLock.run();
    assertThat(sp.stateOf(5)).isEqualTo(SharePartition.ACQUIRED);
    assertThat(sp.startOffset()).isEqualTo(5);
  }

  @Test
  void renewKeepsTheRecordsUnderAFreshLock() {
    sp.acquire("m1", 5, 1 << 20);
    assertThat(acknowledge(sp, "m1", List.of(ack(0, 4, SharePartition.RENEW))))
        .isEqualTo(Errors.NONE);
    locks.remove(0).run(); // the original lock expires: renewed records stay acquired
    assertThat(sp.stateOf(2)).isEqualTo(SharePartition.ACQUIRED);
    locks.remove(0).run(); // the renewed one
    assertThat(sp.stateOf(2)).isEqualTo(SharePartition.AVAILABLE);
  }

  @Test
  void theLockWindowBoundsAcquisition() {
    log.highWatermark = 400;
    SharePartition small = partition(new ShareGroupSettings(1000, 3, 100, true));
    SharePartition.Acquisition a = small.acquire("m1", 1000, 1 << 20);
    assertThat(a.count()).isEqualTo(100);
    assertThat(small.acquire("m2", 1000, 1 << 20).count()).isZero();
    small.acknowledge("m1", List.of(ack(0, 9, SharePartition.ACCEPT)));
    assertThat(ranges(small.acquire("m2", 1000, 1 << 20)))
        .containsExactly(new long[] {100, 109, 1});
  }

  @Test
  void reloadKeepsAcknowledgementsAndMakesHeldRecordsAvailable() {
    sp.acquire("m1", 20, 1 << 20);
    acknowledge(
        sp,
        "m1",
        List.of(
            ack(0, 2, SharePartition.ACCEPT),
            ack(5, 6, SharePartition.REJECT),
            ack(8, 8, SharePartition.ACCEPT)));
    SharePartition reloaded = partition(new ShareGroupSettings(1000, 3, 100, true));
    assertThat(reloaded.startOffset()).isEqualTo(3);
    assertThat(reloaded.stateOf(4)).isEqualTo(SharePartition.AVAILABLE);
    assertThat(reloaded.deliveryCountOf(4)).isEqualTo((short) 1);
    assertThat(reloaded.stateOf(5)).isEqualTo(SharePartition.ARCHIVED);
    assertThat(reloaded.stateOf(8)).isEqualTo(SharePartition.ACKNOWLEDGED);
    SharePartition.Acquisition a = reloaded.acquire("m2", 100, 1 << 20);
    assertThat(ranges(a))
        .containsExactly(new long[] {3, 4, 2}, new long[] {7, 7, 2}, new long[] {9, 19, 2});
  }

  @Test
  void latestStartsAtTheHighWatermark() {
    store.states.clear();
    SharePartition latest = partition(new ShareGroupSettings(1000, 3, 100, false));
    assertThat(latest.startOffset()).isEqualTo(20);
    assertThat(latest.acquire("m1", 10, 1 << 20).count()).isZero();
    log.highWatermark = 25;
    assertThat(ranges(latest.acquire("m1", 10, 1 << 20))).containsExactly(new long[] {20, 24, 1});
  }
}
