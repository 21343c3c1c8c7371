package dev.ferry.storage.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetIndexTest {

  private static final long BASE = 1_000;

  @TempDir Path tmp;

  private OffsetIndex open(int maxBytes, boolean writable) throws IOException {
    return new OffsetIndex(tmp.resolve("00000000000000001000.index"), BASE, maxBytes, writable);
  }

  @Test
  void lookupFindsTheLastEntryAtOrBelowTheOffset() throws IOException {
    try (OffsetIndex index = open(1024, true)) {
      index.append(1_000, 0);
      index.append(1_010, 400);
      index.append(1_025, 900);
      assertThat(index.entries()).isEqualTo(3);
      assertThat(index.lookup(999)).isZero(); // below the segment: its start
      assertThat(index.lookup(1_000)).isZero();
      assertThat(index.lookup(1_009)).isZero();
      assertThat(index.lookup(1_010)).isEqualTo(400);
      assertThat(index.lookup(1_024)).isEqualTo(400);
      assertThat(index.lookup(5_000)).isEqualTo(900);
      assertThat(index.lookupSlot(1_011)).isEqualTo(1);
      assertThat(index.offsetOf(1)).isEqualTo(1_010);
      assertThat(index.offsetOf(-1)).isEqualTo(BASE);
      assertThat(index.floorPosition(899)).isEqualTo(400);
      assertThat(index.lastOffset()).isEqualTo(1_025);
      assertThat(index.lastPosition()).isEqualTo(900);
    }
  }

  @Test
  void keepsKeysStrictlyIncreasingAndSkipsEntriesWhenFull() throws IOException {
    try (OffsetIndex index = open(3 * OffsetIndex.ENTRY_SIZE, true)) {
      index.append(1_005, 100);
      index.append(1_005, 200); // same offset: ignored
      index.append(1_003, 300); // going back: ignored
      index.append(1_007, 400);
      assertThat(index.isFull()).isTrue(); // the last slot is kept for the roll-time entry
      index.append(1_009, 500);
      index.append(1_011, 600); // no room left: skipped, the index only gets sparser
      assertThat(index.entries()).isEqualTo(3);
      assertThat(index.lastOffset()).isEqualTo(1_009);
      assertThat(index.lookup(1_020)).isEqualTo(500);
    }
  }

  @Test
  void truncateDropsEntriesAtOrAfterTheOffset() throws IOException {
    try (OffsetIndex index = open(1024, true)) {
      index.append(1_000, 0);
      index.append(1_010, 400);
      index.append(1_020, 800);
      index.truncateTo(1_010);
      assertThat(index.entries()).isEqualTo(1);
      assertThat(index.lookup(1_015)).isZero();
      index.append(1_012, 450); // appends continue after the cut
      assertThat(index.lookup(1_015)).isEqualTo(450);
    }
  }

  @Test
  void trimAndReopenKeepTheEntriesAndTheFileSize() throws IOException {
    Path file;
    try (OffsetIndex index = open(1024, true)) {
      file = index.file();
      assertThat(Files.size(file)).isEqualTo(1024); // preallocated while active
      index.append(1_000, 0);
      index.append(1_010, 400);
      index.trimToValidSize();
      assertThat(Files.size(file)).isEqualTo(2L * OffsetIndex.ENTRY_SIZE);
      assertThat(index.lookup(1_011)).isEqualTo(400); // still readable after the remap
      index.resize(1024); // active again (a truncation removed the segments after it)
      assertThat(Files.size(file)).isEqualTo(1024);
      index.append(1_020, 800);
      assertThat(index.entries()).isEqualTo(3);
      index.trimToValidSize();
    }
    try (OffsetIndex reopened = open(1024, false)) {
      assertThat(reopened.entries()).isEqualTo(3);
      assertThat(reopened.lookup(1_021)).isEqualTo(800);
      reopened.sanityCheck(10_000, Long.MAX_VALUE);
    }
  }

  @Test
  void sanityCheckRejectsEntriesPastTheSegmentAndBadSizes() throws IOException {
    try (OffsetIndex index = open(1024, true)) {
      index.append(1_000, 0);
      index.append(1_010, 400);
      index.sanityCheck(401, 1_011);
      assertThatThrownBy(() -> index.sanityCheck(400, 1_011))
          .isInstanceOf(CorruptIndexException.class)
          .hasMessageContaining("beyond the segment");
    }
    Path odd = tmp.resolve("00000000000000002000.index");
    Files.write(odd, new byte[OffsetIndex.ENTRY_SIZE + 3]);
    assertThatThrownBy(() -> new OffsetIndex(odd, 2_000, 1024, false))
        .isInstanceOf(CorruptIndexException.class)
        .hasMessageContaining("not a multiple of the entry size");
  }

  @Test
  void aClosedIndexRefusesReads() throws IOException {
    OffsetIndex index = open(1024, true);
    index.append(1_000, 0);
    index.close();
    index.close(); // idempotent
    assertThatThrownBy(() -> index.lookup(1_000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
