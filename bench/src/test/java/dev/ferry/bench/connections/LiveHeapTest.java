package dev.ferry.bench.connections;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveHeapTest {

  @Test
  void readsTotalAndPerClassBytesFromAClassHistogram() throws Exception {
    List<String> lines =
        List.of(
            "12345:",
            " num     #instances         #bytes  class name (module)",
            "-------------------------------------------------------",
            "   1:         20000        1600000  dev.ferry.network.Connection",
            "   2:         10000         480000  [B (java.base@17.0.12)",
            "Total         30000        2080000");
    LiveHeap.Snapshot s = LiveHeap.parse(lines);
    assertThat(s.totalBytes()).isEqualTo(2_080_000);
    assertThat(s.bytesByClass()).containsEntry("dev.ferry.network.Connection", 1_600_000L);
    assertThat(s.countByClass()).containsEntry("[B", 10_000L);
  }

  @Test
  void apiVersionsFrameIsSizePrefixedV3() {
    ByteBuffer frame = IdleConnections.apiVersionsFrame(7);
    int size = frame.getInt();
    assertThat(size).isEqualTo(frame.remaining());
    assertThat(frame.getShort()).isEqualTo((short) 18); // ApiVersions
    assertThat(frame.getShort()).isEqualTo((short) 3);
    assertThat(frame.getInt()).isEqualTo(7);
  }
}
