package dev.ferry.server.txn;

import dev.ferry.coordinator.transaction.TransactionMarkerSender.Markers;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KnownPartitions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * WriteTxnMarkers: a transaction coordinator on another broker asks this partition leader to end a
 * producer's transaction in its partitions. Answered per partition once each marker is replicated.
 */
public final class WriteTxnMarkersHandler extends ApiHandler<WriteTxnMarkersRequest> {

  private final TxnMarkerWriter writer;
  private final KnownPartitions knownPartitions;

  public WriteTxnMarkersHandler(TxnMarkerWriter writer, KnownPartitions knownPartitions) {
    super(ApiKeys.WRITE_TXN_MARKERS, WriteTxnMarkersRequest.class);
    this.writer = writer;
    this.knownPartitions = knownPartitions;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, WriteTxnMarkersRequest body) {
    List<CompletableFuture<WritableTxnMarkerResult>> results = new ArrayList<>();
    for (WritableTxnMarker m : body.data().markers()) {
      Set<TopicPartition> partitions = new HashSet<>();
      // As Kafka: a partition missing from the metadata is answered at once, not written.
      Map<TopicPartition, Errors> unknown = new HashMap<>();
      for (WritableTxnMarkerTopic t : m.topics()) {
        for (int p : t.partitionIndexes()) {
          TopicPartition tp = new TopicPartition(t.name(), p);
          if (knownPartitions.exists(tp)) {
            partitions.add(tp);
          } else {
            unknown.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
          }
        }
      }
      Markers markers =
          new Markers(
              m.producerId(),
              m.producerEpoch(),
              m.transactionResult(),
              m.coordinatorEpoch(),
              m.transactionVersion(),
              partitions);
      results.add(
          writer
              .write(markers, partitions)
              .thenApply(
                  errors -> {
                    Map<TopicPartition, Errors> all = new HashMap<>(errors);
                    all.putAll(unknown);
                    return result(m.producerId(), all);
                  }));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              List<WritableTxnMarkerResult> out = new ArrayList<>();
              for (CompletableFuture<WritableTxnMarkerResult> r : results) {
                out.add(r.join());
              }
              return new WriteTxnMarkersResponse(new WriteTxnMarkersResponseData().setMarkers(out));
            });
  }

  private static WritableTxnMarkerResult result(
      long producerId, Map<TopicPartition, Errors> errors) {
    Map<String, List<WritableTxnMarkerPartitionResult>> byTopic = new TreeMap<>();
    errors.forEach(
        (tp, e) ->
            byTopic
                .computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                .add(
                    new WritableTxnMarkerPartitionResult()
                        .setPartitionIndex(tp.partition())
                        .setErrorCode(e.code())));
    List<WritableTxnMarkerTopicResult> topics = new ArrayList<>();
    byTopic.forEach(
        (t, ps) -> topics.add(new WritableTxnMarkerTopicResult().setName(t).setPartitions(ps)));
    return new WritableTxnMarkerResult().setProducerId(producerId).setTopics(topics);
  }
}
