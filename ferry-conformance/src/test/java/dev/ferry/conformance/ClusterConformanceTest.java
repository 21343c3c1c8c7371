package dev.ferry.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Ferry brokers against three Kafka 4.4 brokers, for the APIs whose answers depend on
 * leadership (Metadata, Produce and Fetch to a non-leader with KIP-951's leader hints, ListOffsets,
 * OffsetForLeaderEpoch, FindCoordinator, DescribeCluster), every advertised version.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterConformanceTest {

  @TempDir static Path dir;
  private Pair pair;
  private Conformance conformance;

  @BeforeAll
  void start() throws Exception {
    pair = Pair.start(dir, 3);
    assertThat(pair.ferry.nodes()).extracting(BrokerUnderTest.Node::id).containsExactly(0, 1, 2);
    assertThat(pair.kafka.nodes()).extracting(BrokerUnderTest.Node::id).containsExactly(0, 1, 2);
    Fixture.createPlaced(pair.ferry);
    Fixture.createPlaced(pair.kafka);
    Fixture.awaitGroupCoordinator(pair.ferry);
    Fixture.awaitGroupCoordinator(pair.kafka);
    conformance = new Conformance(pair.ferry, pair.kafka, AllowList.cluster());
  }

  @AfterAll
  void stop() throws Exception {
    if (conformance != null) {
      conformance.close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void leadershipDependentAnswersMatchKafka() {
    for (Case c : ClusterCases.all()) {
      conformance.run(c);
    }
    assertThat(conformance.differences()).as(conformance.report()).isEmpty();
  }
}
