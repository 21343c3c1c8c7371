package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;

/** Descriptor accounting against a fake count and limit. */
class OpenFilesTest {

  private final AtomicLong open = new AtomicLong(100);
  private final OpenFiles files = new OpenFiles(open::get, () -> 2_000);

  @Test
  void admitsNewSegmentsOnlyWithinTheLimitLessTheConnectionReserve() {
    // reserve = max(64, 2000 / 20) = 100: room for 2000 - 100 - 100 = 1800 segments
    files.requireRoomFor(1_800, "host 1800 partitions");
    assertThatThrownBy(() -> files.requireRoomFor(1_801, "host 1801 partitions of topic t"))
        .isInstanceOf(KafkaStorageException.class)
        .hasMessageContaining("Cannot host 1801 partitions of topic t")
        .hasMessageContaining("only 1800 descriptor(s) left")
        .hasMessageContaining("100 of the open-files limit 2000 in use");
  }

  @Test
  void recognisesExhaustionAnywhereInTheCauseChain() {
    IOException emfile = new IOException("Too many open files");
    assertThat(OpenFiles.isExhaustion(new KafkaStorageException("roll failed", emfile))).isTrue();
    assertThat(OpenFiles.isExhaustion(new IOException("No space left on device"))).isFalse();
    KafkaStorageException e = files.exhausted("roll log t-0", emfile);
    assertThat(e).hasMessageContaining("open-files limit 2000").hasCause(emfile);
    assertThat(OpenFiles.isExhaustion(e)).isTrue();
  }

  @Test
  void theSystemCountsAgreeWithTheJdksOperatingSystemBean() throws IOException {
    UnixOperatingSystemMXBean os =
        (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    assertThat(OpenFiles.system().limit()).isEqualTo(os.getMaxFileDescriptorCount());
    // Both count this process's descriptors (a moment apart: another thread of the test JVM may
    // open one in between); each of 3 more files opened here adds one.
    assertThat(OpenFiles.system().open()).isCloseTo(os.getOpenFileDescriptorCount(), within(2L));
    long before = OpenFiles.system().open();
    List<FileChannel> channels = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        channels.add(FileChannel.open(Path.of("/proc/self/stat"), StandardOpenOption.READ));
      }
      assertThat(OpenFiles.system().open()).isEqualTo(before + 3);
    } finally {
      for (FileChannel c : channels) {
        c.close();
      }
    }
  }

  @Test
  void reportsTheLimitWhenCountingItselfFindsNoDescriptor() {
    open.set(OpenFiles.AT_LIMIT);
    assertThat(files.open()).isEqualTo(2_000);
  }

  @Test
  void tellsListenersOnceDescriptorsAreFreedAfterAnExhaustion() {
    AtomicInteger calls = new AtomicInteger();
    files.onHeadroom(calls::incrementAndGet);
    files.check();
    assertThat(calls).hasValue(0); // never exhausted: nothing to recover from
    open.set(2_000);
    files.exhausted("create the log of t-0", new IOException("Too many open files"));
    files.check();
    assertThat(calls).hasValue(0); // still full
    open.set(1_500);
    files.check();
    assertThat(calls).hasValue(1);
    files.check();
    assertThat(calls).hasValue(1); // once per exhaustion
  }

  @Test
  void theStartUpSummaryStatesTheRoomLeft() {
    assertThat(files.capacitySummary(10, 25))
        .contains("100 of the limit 2000 in use")
        .contains("10 partition(s) with 25 segment(s)")
        .contains("about 1800 more segments");
  }
}
