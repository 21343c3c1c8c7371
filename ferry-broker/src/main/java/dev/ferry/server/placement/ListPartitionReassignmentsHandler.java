package dev.ferry.server.placement;

import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.Reassignment;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsResponse;

/**
 * ListPartitionReassignments: the moves in progress (replicas, adding, removing) of every topic or
 * of the partitions asked for, answered from the metadata cache. Unknown topics and partitions
 * without a move are left out, as Kafka does.
 */
public final class ListPartitionReassignmentsHandler
    extends ApiHandler<ListPartitionReassignmentsRequest> {

  private final MetadataView metadata;

  public ListPartitionReassignmentsHandler(MetadataView metadata) {
    super(ApiKeys.LIST_PARTITION_REASSIGNMENTS, ListPartitionReassignmentsRequest.class);
    this.metadata = metadata;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ListPartitionReassignmentsRequest body) {
    ListPartitionReassignmentsResponseData response =
        new ListPartitionReassignmentsResponseData().setErrorMessage(null);
    List<ListPartitionReassignmentsTopics> asked = body.data().topics();
    if (asked == null) {
      Map<String, TopicMetadata> sorted = new TreeMap<>();
      for (TopicMetadata t : metadata.topics()) {
        if (!t.reassignments().isEmpty()) {
          sorted.put(t.name(), t);
        }
      }
      sorted.values().forEach(t -> add(response, t, t.reassignments().keySet()));
    } else {
      for (ListPartitionReassignmentsTopics t : asked) {
        Optional<TopicMetadata> topic = metadata.topic(t.name());
        topic.ifPresent(m -> add(response, m, t.partitionIndexes()));
      }
    }
    return CompletableFuture.completedFuture(new ListPartitionReassignmentsResponse(response));
  }

  private static void add(
      ListPartitionReassignmentsResponseData response,
      TopicMetadata topic,
      Collection<Integer> partitions) {
    OngoingTopicReassignment out = new OngoingTopicReassignment().setName(topic.name());
    for (int p : new java.util.TreeSet<>(partitions)) {
      Reassignment move = topic.reassignments().get(p);
      if (move == null) {
        continue;
      }
      out.partitions()
          .add(
              new OngoingPartitionReassignment()
                  .setPartitionIndex(p)
                  .setReplicas(topic.replicaAssignment().get(p))
                  .setAddingReplicas(move.adding())
                  .setRemovingReplicas(move.removing()));
    }
    if (!out.partitions().isEmpty()) {
      response.topics().add(out);
    }
  }
}
