package dev.ferry.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A ledger written by one process and read by another, including one cut short. */
class LedgerFileTest {

  @TempDir Path dir;

  @Test
  void readsBackWhatWasWritten() throws IOException {
    Path file = dir.resolve("ledger");
    try (LedgerFile ledger =
        LedgerFile.create(file, new LedgerFile.Header("r1", "orders", 3, 2, true))) {
      ledger.reserve(0, 1_000);
      ledger.reserve(1, 1_000);
      ledger.acknowledged(0, 0, 2, 40);
      ledger.acknowledged(1, 5, 0, -1);
      ledger.aborted(1, 6);
      ledger.finished(0, 3);
    }
    LedgerFile.Contents c = LedgerFile.read(file);
    assertThat(c.header()).isEqualTo(new LedgerFile.Header("r1", "orders", 3, 2, true));
    AckLedger p0 = c.ledgers()[0];
    AckLedger p1 = c.ledgers()[1];
    assertThat(p0.isAcknowledged(0)).isTrue();
    assertThat(p0.partition(0)).isEqualTo(2);
    assertThat(p0.offset(0)).isEqualTo(40);
    assertThat(p0.sentCount()).isEqualTo(3);
    assertThat(p1.offset(5)).isEqualTo(-1);
    assertThat(p1.isAborted(6)).isTrue();
    assertThat(p1.maybeSent(999)).isTrue();
    assertThat(p1.maybeSent(1_000)).isFalse();
  }

  @Test
  void aTornLastLineIsIgnoredButDamageElsewhereIsAnError() throws IOException {
    Path file = dir.resolve("ledger");
    try (LedgerFile ledger =
        LedgerFile.create(file, new LedgerFile.Header("r1", "orders", 1, 1, false))) {
      ledger.acknowledged(0, 0, 0, 0);
    }
    Files.writeString(file, "A 0 1 0", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
    LedgerFile.Contents c = LedgerFile.read(file);
    assertThat(c.ledgers()[0].acknowledgedCount()).isEqualTo(1);

    Files.writeString(file, "\nA 0 2 0 2\n", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
    assertThatThrownBy(() -> LedgerFile.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Malformed ledger line")
        .hasMessageContaining("A 0 1 0");
  }
}
