package dev.ferry.metadata.zk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.zk.ZkPaths.BrokerRef;
import dev.ferry.metadata.zk.ZkPaths.PartitionStateRef;
import dev.ferry.metadata.zk.ZkPaths.TopicConfigRef;
import dev.ferry.metadata.zk.ZkPaths.TopicRef;
import org.junit.jupiter.api.Test;

class ZkPathsTest {

  @Test
  void buildsTheDocumentedLayout() {
    assertThat(ZkPaths.topic("t")).isEqualTo("/ferry/topics/t");
    assertThat(ZkPaths.partitionState("t", 3)).isEqualTo("/ferry/topics/t/partitions/3/state");
    assertThat(ZkPaths.topicConfig("t")).isEqualTo("/ferry/config/topics/t");
    assertThat(ZkPaths.broker(5)).isEqualTo("/ferry/brokers/ids/5");
    assertThat(ZkPaths.CLUSTER_ID).isEqualTo("/ferry/cluster/id");
    assertThat(ZkPaths.PRODUCER_ID_BLOCK).isEqualTo("/ferry/producer-id-block");
    assertThat(ZkPaths.CONTROLLER).isEqualTo("/ferry/controller");
    assertThat(ZkPaths.CONTROLLER_EPOCH).isEqualTo("/ferry/controller_epoch");
  }

  @Test
  void parsesWhatTheCacheWatches() {
    assertThat(ZkPaths.parse("/ferry/topics/t")).isEqualTo(new TopicRef("t"));
    assertThat(ZkPaths.parse("/ferry/topics/t/partitions/12/state"))
        .isEqualTo(new PartitionStateRef("t", 12));
    assertThat(ZkPaths.parse("/ferry/config/topics/t")).isEqualTo(new TopicConfigRef("t"));
    assertThat(ZkPaths.parse("/ferry/brokers/ids/3")).isEqualTo(new BrokerRef(3));
  }

  @Test
  void ignoresEverythingElse() {
    assertThat(ZkPaths.parse("/ferry/topics")).isNull();
    assertThat(ZkPaths.parse("/ferry/topics/t/partitions")).isNull();
    assertThat(ZkPaths.parse("/ferry/topics/t/partitions/1")).isNull();
    assertThat(ZkPaths.parse("/ferry/topics/t/partitions/x/state")).isNull();
    assertThat(ZkPaths.parse("/ferry/topics/t/partitions/-1/state")).isNull();
    assertThat(ZkPaths.parse("/ferry/topicsX/t")).isNull();
    assertThat(ZkPaths.parse("/ferry/config/topics")).isNull();
    assertThat(ZkPaths.parse("/ferry/brokers/ids/abc")).isNull();
    assertThat(ZkPaths.parse("/ferry/brokers/ids")).isNull();
  }
}
