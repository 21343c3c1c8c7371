package dev.ferry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cache's version moves after every change a Metadata answer shows (topics, partition states,
 * live brokers) and stays put for updates that change nothing (stale or repeated znode values), so
 * answers derived at one version can be reused exactly while it stays.
 */
class MetadataCacheVersionTest {

  private final ListenerNotifier notifier = new ListenerNotifier();
  private final MetadataCache cache = new MetadataCache(notifier);

  @AfterEach
  void close() {
    notifier.close();
  }

  private static TopicAssignment assignment(Uuid id, int partitions) {
    TreeMap<Integer, List<Integer>> map = new TreeMap<>();
    for (int p = 0; p < partitions; p++) {
      map.put(p, List.of(1));
    }
    return new TopicAssignment(id, map);
  }

  @Test
  void movesWithEveryVisibleChangeOnly() {
    long v0 = cache.version();
    Uuid id = Uuid.randomUuid();

    cache.putTopic("t", assignment(id, 2), 10, 10);
    long v1 = cache.version();
    assertThat(v1).isGreaterThan(v0);
    assertThat(cache.topic("t").partitionCount()).isEqualTo(2);

    cache.putTopic("t", assignment(id, 2), 10, 10); // the same znode again
    assertThat(cache.version()).isEqualTo(v1);

    cache.putPartitionState("t", 0, new PartitionState(1, 0, List.of(1), 0, 0), 11, 11);
    long v2 = cache.version();
    assertThat(v2).isGreaterThan(v1);

    // An older write of the same znode (lower mzxid) is ignored.
    cache.putPartitionState("t", 0, new PartitionState(2, 5, List.of(2), 0, 0), 11, 9);
    assertThat(cache.version()).isEqualTo(v2);
    assertThat(cache.partitionState("t", 0).leader()).isEqualTo(1);

    cache.putBroker(new BrokerInfo(1, "127.0.0.1", 9092, null), 12, 12);
    long v3 = cache.version();
    assertThat(v3).isGreaterThan(v2);

    cache.putTopic("t", assignment(id, 3), 10, 13); // grown
    long v4 = cache.version();
    assertThat(v4).isGreaterThan(v3);

    cache.putTopicConfig("t", Map.of("retention.ms", "1"), 14, 14);
    long v5 = cache.version();
    assertThat(v5).isGreaterThan(v4);

    cache.removeBroker(1, 15);
    long v6 = cache.version();
    assertThat(v6).isGreaterThan(v5);

    cache.removeTopic("t", 16);
    assertThat(cache.version()).isGreaterThan(v6);
    assertThat(cache.topic("t")).isNull();
  }
}
