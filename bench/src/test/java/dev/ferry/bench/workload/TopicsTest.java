package dev.ferry.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

class TopicsTest {

  private static final Node N1 = new Node(1, "127.0.0.1", 1);
  private static final Node N2 = new Node(2, "127.0.0.1", 2);
  private static final Node N3 = new Node(3, "127.0.0.1", 3);
  private static final List<Node> ALL = List.of(N1, N2, N3);

  private static TopicDescription topic(TopicPartitionInfo... partitions) {
    return new TopicDescription("t", false, List.of(partitions));
  }

  @Test
  void fullyReplicatedNeedsEveryPartitionWithALeaderAndTheWholeIsr() {
    TopicDescription ready =
        topic(new TopicPartitionInfo(0, N1, ALL, ALL), new TopicPartitionInfo(1, N2, ALL, ALL));
    assertThat(Topics.fullyReplicated(ready, 2, 3)).isTrue();

    TopicDescription followerBehind =
        topic(
            new TopicPartitionInfo(0, N1, ALL, ALL),
            new TopicPartitionInfo(1, N2, ALL, List.of(N2, N3)));
    assertThat(Topics.fullyReplicated(followerBehind, 2, 3)).isFalse();

    TopicDescription noLeader =
        topic(
            new TopicPartitionInfo(0, N1, ALL, ALL),
            new TopicPartitionInfo(1, Node.noNode(), ALL, ALL));
    assertThat(Topics.fullyReplicated(noLeader, 2, 3)).isFalse();

    TopicDescription missingPartition = topic(new TopicPartitionInfo(0, N1, ALL, ALL));
    assertThat(Topics.fullyReplicated(missingPartition, 2, 3)).isFalse();
    assertThat(Topics.fullyReplicated(null, 2, 3)).isFalse();
  }
}
