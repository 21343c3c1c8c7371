package dev.ferry.metadata.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.TopicMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A three-node ZooKeeper ensemble (curator-test) losing the server our store talks to. */
@Tag("slow")
class ZkMetadataStoreClusterTest {

  @Test
  void survivesTheLossOfItsZooKeeperServer() throws Exception {
    try (TestingCluster cluster = new TestingCluster(3)) {
      cluster.start();
      try (ZkMetadataStore store = ZkMetadataStore.connect(cluster.getConnectString(), 10_000);
          ZkMetadataStore other = ZkMetadataStore.connect(cluster.getConnectString(), 10_000)) {
        BrokerInfo broker = new BrokerInfo(1, "127.0.0.1", 9092, null);
        store.registerBroker(broker);
        TopicMetadata before = store.createTopic("before", Map.of(0, List.of(1)), Map.of());

        InstanceSpec server =
            cluster.findConnectionInstance(store.curator().getZookeeperClient().getZooKeeper());
        long start = System.nanoTime();
        assertThat(cluster.killServer(server)).isTrue();

        // Curator's retries carry the write over to a surviving server.
        TopicMetadata after = store.createTopic("after", Map.of(0, List.of(1)), Map.of("k", "v"));
        System.out.printf(
            "Write after losing the ZooKeeper server took %d ms%n",
            (System.nanoTime() - start) / 1_000_000);
        assertThat(store.topics()).containsExactlyInAnyOrder(before, after);
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  assertThat(other.topics()).containsExactlyInAnyOrder(before, after);
                  // The session survived the failover, and with it the registration.
                  assertThat(other.liveBrokers()).containsExactly(broker);
                });
        assertThat(store.allocateProducerIdBlock(1, 10)).isEqualTo(new ProducerIdBlock(1, 0, 10));
      }
    }
  }
}
