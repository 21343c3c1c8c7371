package dev.ferry.conformance;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.awaitility.Awaitility;

/**
 * The same starting state on both sides, made with the real Admin client: topics every case may
 * read, visible with a leader on every node before the first case runs.
 */
final class Fixture {

  /** Three partitions, replicated on every node. */
  static final String TOPIC = "conf";

  /** One partition, {@code cleanup.policy=compact}: keyless records are refused. */
  static final String COMPACTED = "conf-compacted";

  private Fixture() {}

  static void create(BrokerUnderTest side) throws Exception {
    short rf = (short) side.nodes().size();
    try (Admin admin = admin(side)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(TOPIC, 3, rf),
                  new NewTopic(COMPACTED, 1, rf).configs(Map.of("cleanup.policy", "compact"))))
          .all()
          .get();
    }
    awaitVisible(side, TOPIC, 3);
    awaitVisible(side, COMPACTED, 1);
    awaitGroupCoordinator(side);
    awaitCoordinator(side, (byte) 1, "conf-warm-up");
    awaitProducerIds(side, null);
    awaitProducerIds(side, "conf-warm-up");
  }

  /**
   * Until InitProducerId answers: Kafka fetches its first producer-id block from the controller and
   * answers COORDINATOR_LOAD_IN_PROGRESS until then; a transactional id also waits for the
   * transaction coordinator to have loaded its partition of the transaction log.
   */
  static void awaitProducerIds(BrokerUnderTest side, String transactionalId) {
    try (SideContext ctx = new SideContext(side)) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                InitProducerIdRequestData req =
                    new InitProducerIdRequestData()
                        .setTransactionalId(transactionalId)
                        .setTransactionTimeoutMs(60_000);
                InitProducerIdResponseData r =
                    (InitProducerIdResponseData) ctx.send(0, Requests.of(req, (short) 4)).data();
                return r.errorCode() == Errors.NONE.code();
              });
    }
  }

  /**
   * Until a group coordinator is found: Kafka creates its offsets topic on the first
   * FindCoordinator, so without this the first group cases would compare a cluster still creating
   * it with one that has it.
   */
  static void awaitGroupCoordinator(BrokerUnderTest side) {
    awaitCoordinator(side, (byte) 0, "conf-warm-up");
  }

  /**
   * Until a coordinator of {@code keyType} (0 group, 1 transaction) is found for {@code key}: each
   * broker creates the internal topic behind it on the first FindCoordinator.
   */
  static void awaitCoordinator(BrokerUnderTest side, byte keyType, String key) {
    try (SideContext ctx = new SideContext(side)) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                FindCoordinatorRequestData req =
                    new FindCoordinatorRequestData().setKey(key).setKeyType(keyType);
                FindCoordinatorResponseData r =
                    (FindCoordinatorResponseData) ctx.send(0, Requests.of(req, (short) 3)).data();
                return r.errorCode() == Errors.NONE.code();
              });
    }
  }

  static Admin admin(BrokerUnderTest side) {
    Properties p = side.clientProperties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, side.bootstrap());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return Admin.create(p);
  }

  /**
   * Three partitions, every one on every node, with their leaders placed by hand (partition p led
   * by the node of id p+1 mod 3): both clusters then agree on who leads what, so answers that
   * depend on leadership can be compared.
   */
  static final String PLACED = "conf-placed";

  /** The cluster variant's topic: see {@link #PLACED}. Needs nodes with ids 0, 1 and 2. */
  static void createPlaced(BrokerUnderTest side) throws Exception {
    Map<Integer, List<Integer>> assignment =
        Map.of(0, List.of(1, 2, 0), 1, List.of(2, 0, 1), 2, List.of(0, 1, 2));
    try (Admin admin = admin(side)) {
      admin.createTopics(List.of(new NewTopic(PLACED, assignment))).all().get();
    }
    awaitVisible(side, PLACED, 3);
  }

  /**
   * Until every node's metadata shows every partition of {@code topic} with a leader and all its
   * replicas in sync.
   */
  static void awaitVisible(BrokerUnderTest side, String topic, int partitions) {
    try (SideContext ctx = new SideContext(side)) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                for (int n = 0; n < side.nodes().size(); n++) {
                  MetadataRequestData req =
                      new MetadataRequestData()
                          .setTopics(
                              List.of(
                                  new MetadataRequestData.MetadataRequestTopic().setName(topic)))
                          .setAllowAutoTopicCreation(false);
                  MetadataResponseData r =
                      (MetadataResponseData) ctx.send(n, Requests.of(req, (short) 12)).data();
                  MetadataResponseData.MetadataResponseTopic t = r.topics().iterator().next();
                  if (t.errorCode() != Errors.NONE.code()
                      || t.partitions().size() != partitions
                      || t.partitions().stream()
                          .anyMatch(
                              p ->
                                  p.leaderId() < 0
                                      || p.errorCode() != 0
                                      || p.isrNodes().size() != p.replicaNodes().size())) {
                    return false;
                  }
                }
                return true;
              });
    }
  }
}
