package dev.ferry.storage.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeIndexTest {

  private static final long BASE = 500;

  @TempDir Path tmp;

  private TimeIndex open(int maxBytes, boolean writable) throws IOException {
    return new TimeIndex(tmp.resolve("00000000000000000500.timeindex"), BASE, maxBytes, writable);
  }

  @Test
  void lookupStartsAtTheBatchOfTheLastEntryNotNewerThanTheTarget() throws IOException {
    try (TimeIndex index = open(1024, true)) {
      assertThat(index.lastTimestamp()).isEqualTo(RecordBatch.NO_TIMESTAMP);
      assertThat(index.lookup(1_000)).isEqualTo(BASE); // empty: scan from the segment start
      index.maybeAppend(1_000, 500, false);
      index.maybeAppend(2_000, 520, false);
      index.maybeAppend(3_000, 540, false);
      assertThat(index.lookup(999)).isEqualTo(BASE);
      assertThat(index.lookup(1_000)).isEqualTo(500);
      assertThat(index.lookup(2_500)).isEqualTo(520);
      assertThat(index.lookup(9_999)).isEqualTo(540);
      assertThat(index.lastTimestamp()).isEqualTo(3_000);
      assertThat(index.lastOffset()).isEqualTo(540);
    }
  }

  @Test
  void onlyAStrictlyNewerTimestampAddsAnEntry() throws IOException {
    try (TimeIndex index = open(1024, true)) {
      index.maybeAppend(2_000, 510, false);
      index.maybeAppend(2_000, 520, false); // same timestamp
      index.maybeAppend(1_500, 530, false); // older
      index.maybeAppend(RecordBatch.NO_TIMESTAMP, 540, false);
      index.maybeAppend(3_000, 505, false); // offset going back
      assertThat(index.entries()).isEqualTo(1);
      assertThat(index.lastOffset()).isEqualTo(510);
    }
  }

  @Test
  void theLastSlotIsOnlyForTheForcedRollEntry() throws IOException {
    try (TimeIndex index = open(2 * TimeIndex.ENTRY_SIZE, true)) {
      index.maybeAppend(1_000, 500, false);
      assertThat(index.isFull()).isTrue();
      index.maybeAppend(2_000, 510, false); // not forced: the slot stays free
      assertThat(index.entries()).isEqualTo(1);
      index.maybeAppend(2_000, 510, true); // at roll time
      assertThat(index.entries()).isEqualTo(2);
      assertThat(index.lookup(2_000)).isEqualTo(510);
    }
  }

  @Test
  void truncateDropsEntriesPointingAtOrPastTheOffset() throws IOException {
    try (TimeIndex index = open(1024, true)) {
      index.maybeAppend(1_000, 500, false);
      index.maybeAppend(2_000, 520, false);
      index.maybeAppend(3_000, 540, false);
      index.truncateTo(520);
      assertThat(index.entries()).isEqualTo(1);
      assertThat(index.lastTimestamp()).isEqualTo(1_000);
      assertThat(index.lookup(2_500)).isEqualTo(500);
    }
  }

  @Test
  void reopenAfterTrimKeepsEntriesAndSanityCheckCatchesEntriesPastTheEnd() throws IOException {
    try (TimeIndex index = open(1024, true)) {
      index.maybeAppend(1_000, 500, false);
      index.maybeAppend(2_000, 530, false);
      index.trimToValidSize();
    }
    try (TimeIndex reopened = open(1024, false)) {
      assertThat(reopened.entries()).isEqualTo(2);
      assertThat(reopened.lookup(2_000)).isEqualTo(530);
      reopened.sanityCheck(0, 531);
      assertThatThrownBy(() -> reopened.sanityCheck(0, 530))
          .isInstanceOf(CorruptIndexException.class)
          .hasMessageContaining("past the segment");
    }
  }
}
