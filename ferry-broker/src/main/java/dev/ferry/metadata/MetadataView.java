package dev.ferry.metadata;

import java.util.Collection;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Read-only cluster metadata: what request handlers, partition hosting and replication may see.
 * Every method answers from memory and never blocks, so it is safe on a network thread. After a
 * write through the same store returns, these reads already reflect it.
 *
 * <p>Writes are deliberately not reachable from this type: request handlers hold a view and send
 * writes through {@link dev.ferry.controller.TopicAdmin}, which runs them on the admin thread.
 */
public interface MetadataView {

  /** The cluster id, created on the first start of the cluster and stable afterwards. */
  String clusterId();

  /** Live brokers by ascending id. */
  Collection<BrokerInfo> liveBrokers();

  Optional<BrokerInfo> liveBroker(int brokerId);

  Optional<TopicMetadata> topic(String name);

  /** O(1): Produce v13 and Fetch v13+ name topics only by id. */
  Optional<TopicMetadata> topic(Uuid topicId);

  Collection<TopicMetadata> topics();

  Optional<PartitionState> partitionState(String topic, int partition);

  /**
   * The partition's state with the zxid of the write that made it, to compare with {@link
   * #brokerEpoch}. Views that keep no zxids (test fakes) answer zxid {@code Long.MAX_VALUE}: every
   * state counts as written after every registration.
   */
  default Optional<VersionedPartitionState> versionedPartitionState(String topic, int partition) {
    return partitionState(topic, partition)
        .map(s -> new VersionedPartitionState(s, Long.MAX_VALUE));
  }

  /**
   * The broker epoch of a live broker: the zxid that created its current registration (Kafka's
   * broker epoch, the czxid of {@code /brokers/ids/N}); it grows with every restart and every
   * re-registration after a lost session. -1 if the broker is not live. Views that keep no zxids
   * answer 0 for a live broker.
   */
  default long brokerEpoch(int brokerId) {
    return liveBroker(brokerId).isPresent() ? 0 : -1;
  }

  /**
   * The broker epoch of this store's own registration, -1 before it registered (or after its
   * session ended and before it registered again). Not {@code brokerEpoch(ourId)}: a restarted
   * broker's view may still show the registration of its previous process, whose session has not
   * expired yet. Views that register nothing answer 0.
   */
  default long ownBrokerEpoch() {
    return 0;
  }

  /**
   * A number that changes (grows) after every change of what the reads above return for topics,
   * partition states and live brokers, so a reader can reuse what it derived from an earlier read
   * while it is unchanged. It is raised after the change is visible: a value read before reading
   * the metadata is never newer than that metadata. Negative: the view keeps no such number, and
   * nothing derived may be reused.
   */
  default long version() {
    return -1;
  }

  /**
   * Listeners hear of changes from now on, on the store's "ferry-metadata-events" thread; read
   * {@link #topics()} for the current state.
   */
  void addListener(MetadataListener listener);
}
