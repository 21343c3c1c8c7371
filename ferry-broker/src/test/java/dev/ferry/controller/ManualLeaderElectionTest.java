package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.memory.InMemoryMetadataCluster;
import dev.ferry.metadata.memory.InMemoryMetadataStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator's preferred election (ElectLeaders) against an in-memory store: it moves leadership
 * to the preferred replica when that one is live and in sync, but not when the replica registered
 * again since the state was written — its ISR place is its previous process's.
 */
class ManualLeaderElectionTest {

  private static final String TOPIC = "orders";

  private final InMemoryMetadataCluster cluster = new InMemoryMetadataCluster();
  private final Map<Integer, InMemoryMetadataStore> brokers = new HashMap<>();
  private InMemoryMetadataStore admin;

  @BeforeEach
  void threeBrokersAndALeaderThatIsNotThePreferredOne() {
    for (int id = 1; id <= 3; id++) {
      startBroker(id);
    }
    admin = cluster.connect();
    admin.createTopic(TOPIC, Map.of(0, List.of(1, 2, 3)), Map.of());
    assertThat(
            admin.compareAndSetPartitionState(
                TOPIC, 0, 0, new PartitionState(2, 1, List.of(2, 3, 1), 0, 0), null))
        .isPresent();
  }

  @AfterEach
  void close() {
    brokers.values().forEach(InMemoryMetadataStore::close);
    admin.close();
  }

  private void startBroker(int id) {
    InMemoryMetadataStore store = cluster.connect();
    store.registerBroker(new BrokerInfo(id, "127.0.0.1", 9000 + id, null), 0);
    brokers.put(id, store);
  }

  @Test
  void thePreferredReplicaTakesOverWhenLiveAndInSync() {
    assertThat(new ManualLeaderElection(admin).elect(TOPIC, 0, ElectionType.PREFERRED).error())
        .isEqualTo(Errors.NONE);
    assertThat(admin.partitionState(TOPIC, 0).orElseThrow().leader()).isEqualTo(1);
  }

  @Test
  void aPreferredReplicaThatRestartedSinceTheStateWasWrittenIsNotElected() {
    brokers.remove(1).close();
    startBroker(1);

    assertThat(new ManualLeaderElection(admin).elect(TOPIC, 0, ElectionType.PREFERRED).error())
        .isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
    assertThat(admin.partitionState(TOPIC, 0).orElseThrow().leader()).isEqualTo(2);
  }
}
