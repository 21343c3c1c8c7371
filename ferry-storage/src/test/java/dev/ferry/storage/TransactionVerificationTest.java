package dev.ferry.storage;

import static dev.ferry.storage.TransactionalLogTest.txn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.txn.VerificationGuard;
import java.nio.file.Path;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verification guard (KIP-890 part 1): the produce path's check that a partition is in the
 * producer's transaction and the append that follows are one step with respect to the markers the
 * coordinator writes in between.
 */
class TransactionVerificationTest {

  @TempDir Path tmp;

  private PartitionLog open() {
    return PartitionLog.open(tmp.resolve("t-0"), LogTestSupport.small(), Time.SYSTEM, true);
  }

  @Test
  void anAbortWrittenDuringTheVerificationFailsTheAppend() {
    try (PartitionLog log = open()) {
      log.append(txn(7, (short) 0, 0, "a", 2), 0); // 0..1, the first transaction
      log.appendMarker(7, (short) 0, 1, true, 0); // 2
      // The next transaction's first batch: verification starts, then the coordinator times the
      // transaction out and its ABORT lands here before the verified batch does.
      VerificationGuard guard = log.startTransactionVerification(7, (short) 0);
      assertThat(guard).isNotSameAs(VerificationGuard.SENTINEL);
      log.appendMarker(7, (short) 0, 1, false, 0); // 3
      long end = log.logEndOffset();

      assertThatThrownBy(() -> log.append(txn(7, (short) 0, 2, "late", 1), 0, guard))
          .isInstanceOf(InvalidTxnStateException.class);
      // Nothing appended, no transaction left open to hold the last stable offset back.
      assertThat(log.logEndOffset()).isEqualTo(end);
      assertThat(log.hasOngoingTransaction(7, (short) 0)).isFalse();
      log.updateHighWatermark(log.logEndOffset());
      assertThat(log.lastStableOffset()).isEqualTo(end);
      assertThat(log.transactionVerificationsInFlight()).isZero();
    }
  }

  @Test
  void aVerifiedBatchOpensTheTransactionAndLaterBatchesNeedItOpen() {
    try (PartitionLog log = open()) {
      VerificationGuard guard = log.startTransactionVerification(7, (short) 0);
      assertThat(log.append(txn(7, (short) 0, 0, "a", 2), 0, guard).firstOffset()).isZero();
      assertThat(log.hasOngoingTransaction(7, (short) 0)).isTrue();
      assertThat(log.transactionVerificationsInFlight()).isZero(); // used up

      // The transaction is open: no verification, the sentinel continues it.
      VerificationGuard open = log.startTransactionVerification(7, (short) 0);
      assertThat(open).isSameAs(VerificationGuard.SENTINEL);
      assertThat(log.append(txn(7, (short) 0, 2, "b", 1), 0, open).firstOffset()).isEqualTo(2);

      // A request that saw the transaction open but reaches the log after its marker fails.
      log.appendMarker(7, (short) 0, 1, true, 0); // 3
      assertThatThrownBy(() -> log.append(txn(7, (short) 0, 3, "c", 1), 0, open))
          .isInstanceOf(InvalidTxnStateException.class);
      assertThat(log.logEndOffset()).isEqualTo(4);
    }
  }

  @Test
  void onlyTheLatestUncancelledVerificationCounts() {
    try (PartitionLog log = open()) {
      VerificationGuard first = log.startTransactionVerification(7, (short) 0);
      VerificationGuard second = log.startTransactionVerification(7, (short) 0);
      assertThatThrownBy(() -> log.append(txn(7, (short) 0, 0, "a", 1), 0, first))
          .isInstanceOf(InvalidTxnStateException.class);

      // The coordinator refused it: the guard is forgotten.
      log.cancelTransactionVerification(7, second);
      assertThat(log.transactionVerificationsInFlight()).isZero();
      assertThatThrownBy(() -> log.append(txn(7, (short) 0, 0, "a", 1), 0, second))
          .isInstanceOf(InvalidTxnStateException.class);

      // Another producer's verification is independent.
      VerificationGuard other = log.startTransactionVerification(8, (short) 0);
      VerificationGuard mine = log.startTransactionVerification(7, (short) 0);
      assertThat(log.append(txn(7, (short) 0, 0, "a", 1), 0, mine).firstOffset()).isZero();
      assertThat(log.append(txn(8, (short) 0, 0, "b", 1), 0, other).firstOffset()).isEqualTo(1);
      assertThat(log.logEndOffset()).isEqualTo(2);
    }
  }

  @Test
  void appendsWithoutAGuardAreNotChecked() {
    try (PartitionLog log = open()) {
      // The broker's own writers (coordinators' transactional offsets) and plain producers.
      assertThat(log.append(txn(7, (short) 0, 0, "a", 1), 0).firstOffset()).isZero();
      assertThat(log.append(Batches.batch("plain", 2, 1), 0, null).firstOffset()).isEqualTo(1);
      // A non-transactional batch carries no transaction to verify, whatever the guard.
      assertThat(log.append(Batches.batch("p", 1, 1), 0, VerificationGuard.SENTINEL).firstOffset())
          .isEqualTo(3);
    }
  }
}
