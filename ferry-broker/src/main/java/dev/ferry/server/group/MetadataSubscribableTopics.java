package dev.ferry.server.group;

import dev.ferry.coordinator.group.SubscribableTopics;
import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The topics consumer-protocol groups can subscribe to, from the metadata cache. */
public final class MetadataSubscribableTopics implements SubscribableTopics {

  /** Internal topics no subscription names or matches (as Kafka excludes them from regexes). */
  private static final Set<String> INTERNAL = Set.of("__consumer_offsets", "__transaction_state");

  private final MetadataView store;

  public MetadataSubscribableTopics(MetadataView store) {
    this.store = store;
  }

  @Override
  public Map<String, Topic> topics() {
    Map<Integer, String> racks = new HashMap<>();
    for (BrokerInfo b : store.liveBrokers()) {
      if (b.rack() != null && !b.rack().isEmpty()) {
        racks.put(b.id(), b.rack());
      }
    }
    Map<String, Topic> out = new HashMap<>();
    for (TopicMetadata t : store.topics()) {
      if (!INTERNAL.contains(t.name())) {
        out.put(
            t.name(),
            new Topic(
                t.topicId(), t.partitionCount(), racks.isEmpty() ? List.of() : racks(t, racks)));
      }
    }
    return out;
  }

  /** The racks of each partition's replicas, for rack-aware assignment. */
  private static List<Set<String>> racks(TopicMetadata t, Map<Integer, String> brokerRacks) {
    List<Set<String>> out = new ArrayList<>(t.partitionCount());
    for (int p = 0; p < t.partitionCount(); p++) {
      Set<String> rs = new HashSet<>();
      for (int broker : t.replicaAssignment().getOrDefault(p, List.of())) {
        String r = brokerRacks.get(broker);
        if (r != null) {
          rs.add(r);
        }
      }
      out.add(Set.copyOf(rs));
    }
    return out;
  }
}
