package dev.ferry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ZxidOrderedMapTest {

  private final ZxidOrderedMap<String, String> map = new ZxidOrderedMap<>();

  @Test
  void olderModificationsOfTheSameZnodeAreIgnored() {
    assertThat(map.put("a", "v2", 10, 20)).isTrue(); // our write's result
    assertThat(map.put("a", "v1", 10, 15)).isFalse(); // the watch, late
    assertThat(map.put("a", "v2", 10, 20)).isFalse(); // the watch, same state
    assertThat(map.get("a")).isEqualTo("v2");
    assertThat(map.put("a", "v3", 10, 21)).isTrue();
    assertThat(map.get("a")).isEqualTo("v3");
  }

  @Test
  void aDeletedIncarnationCannotComeBack() {
    map.put("a", "first", 10, 10);
    assertThat(map.remove("a", 30)).isTrue(); // our delete, in transaction 30
    assertThat(map.put("a", "first", 10, 12)).isFalse(); // stale watch event
    assertThat(map.get("a")).isNull();
    assertThat(map.put("a", "second", 31, 31)).isTrue(); // re-created later
    assertThat(map.get("a")).isEqualTo("second");
  }

  @Test
  void aLateDeletionOfAnOlderIncarnationKeepsTheNewerOne() {
    map.put("a", "second", 31, 31);
    assertThat(map.remove("a", 10)).isFalse(); // watch reports deletion of the czxid-10 node
    assertThat(map.get("a")).isEqualTo("second");
    assertThat(map.put("a", "first", 10, 10)).isFalse();
  }

  @Test
  void tombstonesAreBounded() {
    for (int i = 0; i < ZxidOrderedMap.MAX_TOMBSTONES + 100; i++) {
      map.remove("k" + i, i);
    }
    assertThat(map.tombstoneCount()).isEqualTo(ZxidOrderedMap.MAX_TOMBSTONES);
  }
}
