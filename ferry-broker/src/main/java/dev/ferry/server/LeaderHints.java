package dev.ferry.server;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.PartitionState;
import java.util.Optional;

/**
 * KIP-951: a Produce or Fetch refused with NOT_LEADER_OR_FOLLOWER names the partition's current
 * leader and epoch, and the response carries that leader's endpoint, so the client retries against
 * the new leader without first refreshing all of its metadata.
 */
public final class LeaderHints {

  private final MetadataView metadata;

  public LeaderHints(MetadataView metadata) {
    this.metadata = metadata;
  }

  /** The live leader of the partition as this broker's metadata has it. */
  public Optional<PartitionState> leader(String topic, int partition) {
    return metadata
        .partitionState(topic, partition)
        .filter(s -> s.leader() >= 0 && metadata.liveBroker(s.leader()).isPresent());
  }

  /** Where clients on {@code listenerName} reach broker {@code brokerId}. */
  public Optional<Endpoint> endpoint(int brokerId, String listenerName) {
    return metadata
        .liveBroker(brokerId)
        .map(
            b -> {
              BrokerInfo.Endpoint e =
                  b.endpoint(listenerName).orElse(new BrokerInfo.Endpoint(b.host(), b.port()));
              return new Endpoint(brokerId, e.host(), e.port(), b.rack());
            });
  }

  /** One broker's address as KIP-951's node_endpoints list it. */
  public record Endpoint(int nodeId, String host, int port, String rack) {}
}
