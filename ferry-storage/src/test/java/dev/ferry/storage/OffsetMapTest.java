package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.cleaner.OffsetMap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OffsetMapTest {

  private static ByteBuffer key(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void remembersTheLatestOffsetPerKey() {
    OffsetMap map = new OffsetMap(OffsetMap.capacityFor(100));
    for (int i = 0; i < 300; i++) {
      map.put(key("k" + (i % 100)), i);
    }
    assertThat(map.size()).isEqualTo(100);
    for (int k = 0; k < 100; k++) {
      assertThat(map.get(key("k" + k))).isEqualTo(200 + k);
    }
    assertThat(map.get(key("absent"))).isEqualTo(-1);
    assertThat(map.latestOffset()).isEqualTo(299);
  }

  @Test
  void theKeyBufferIsReadWithoutBeingConsumed() {
    OffsetMap map = new OffsetMap(4);
    ByteBuffer k = key("abc");
    map.put(k, 7);
    assertThat(k.remaining()).isEqualTo(3);
    assertThat(map.get(key("abc"))).isEqualTo(7);
  }

  @Test
  void refusesNewKeysBeyondItsLoadFactorButUpdatesOldOnes() {
    OffsetMap map = new OffsetMap(10); // 9 entries at most
    for (int i = 0; i < 9; i++) {
      map.put(key("k" + i), i);
    }
    assertThat(map.isFull()).isTrue();
    map.put(key("k3"), 100);
    assertThat(map.get(key("k3"))).isEqualTo(100);
    assertThatThrownBy(() -> map.put(key("new"), 101)).isInstanceOf(IllegalStateException.class);
    assertThat(map.get(key("new"))).as("lookups of absent keys still end").isEqualTo(-1);

    map.clear();
    assertThat(map.size()).isZero();
    assertThat(map.get(key("k3"))).isEqualTo(-1);
  }

  @Test
  void emptyAndBinaryKeysAreKeysLikeAnyOther() {
    OffsetMap map = new OffsetMap(OffsetMap.capacityFor(3));
    map.put(ByteBuffer.allocate(0), 1);
    map.put(ByteBuffer.wrap(new byte[] {0, -1, 127}), 2);
    assertThat(map.get(ByteBuffer.allocate(0))).isEqualTo(1);
    assertThat(map.get(ByteBuffer.wrap(new byte[] {0, -1, 127}))).isEqualTo(2);
    assertThat(map.get(ByteBuffer.wrap(new byte[] {0, -1}))).isEqualTo(-1);
  }
}
