package dev.ferry.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The checker's bookkeeping: what a fault run's verdict is computed from. */
class AckLedgerTest {

  @Test
  void acknowledgementsKeepPartitionAndOffsetEvenWithoutAnOffset() {
    AckLedger ledger = new AckLedger();
    ledger.sent(0);
    ledger.sent(1);
    ledger.sent(2);
    ledger.acknowledged(0, 2, 123_456_789L);
    ledger.acknowledged(1, 1, -1); // DUPLICATE_SEQUENCE_NUMBER: delivered, offset unknown
    ledger.failed(2);

    assertThat(ledger.isAcknowledged(0)).isTrue();
    assertThat(ledger.partition(0)).isEqualTo(2);
    assertThat(ledger.offset(0)).isEqualTo(123_456_789L);
    assertThat(ledger.isAcknowledged(1)).isTrue();
    assertThat(ledger.partition(1)).isEqualTo(1);
    assertThat(ledger.offset(1)).isEqualTo(-1);
    assertThat(ledger.isAcknowledged(2)).isFalse();
    assertThat(ledger.acknowledgedCount()).isEqualTo(2);
    assertThat(ledger.acknowledgedWithoutOffsetCount()).isEqualTo(1);
    assertThat(ledger.failedCount()).isEqualTo(1);
  }
}
