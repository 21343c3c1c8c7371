package dev.ferry.server.txn;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.group.OffsetAndMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KnownPartitions;
import dev.ferry.server.group.TopicIdResolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;

/**
 * TxnOffsetCommit: a transactional producer commits its consumer group's offsets inside the
 * transaction (consume-transform-produce). The offsets partition must be in the transaction: added
 * by AddOffsetsToTxn under transactions v1 (checked here), added implicitly under v2 (v5+,
 * KIP-890). The group checks generation and member as for OffsetCommit; the offsets become visible
 * when the transaction commits.
 */
public final class TxnOffsetCommitHandler extends ApiHandler<TxnOffsetCommitRequest> {

  /** First version sent by transactions-v2 producers. */
  static final short V2_VERSION = 5;

  /** First version that names topics by id. */
  static final short TOPIC_ID_VERSION = 6;

  private final GroupCoordinator groups;
  private final TransactionVerifier verifier;
  private final TopicIdResolver topicIds;
  private final KnownPartitions knownPartitions;

  public TxnOffsetCommitHandler(
      GroupCoordinator groups,
      TransactionVerifier verifier,
      TopicIdResolver topicIds,
      KnownPartitions knownPartitions) {
    super(ApiKeys.TXN_OFFSET_COMMIT, TxnOffsetCommitRequest.class);
    this.groups = groups;
    this.verifier = verifier;
    this.topicIds = topicIds;
    this.knownPartitions = knownPartitions;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, TxnOffsetCommitRequest body) {
    TxnOffsetCommitRequestData req = body.data();
    short version = request.header().apiVersion();
    boolean byId = version >= TOPIC_ID_VERSION;
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    List<TxnOffsetCommitResponseTopic> unknown = new ArrayList<>();
    Map<TopicPartition, Errors> missing = new LinkedHashMap<>();
    for (TxnOffsetCommitRequestTopic t : req.topics()) {
      Optional<String> name = byId ? topicIds.topicName(t.topicId()) : Optional.of(t.name());
      if (name.isEmpty()) {
        TxnOffsetCommitResponseTopic rt =
            new TxnOffsetCommitResponseTopic().setName("").setTopicId(t.topicId());
        for (TxnOffsetCommitRequestPartition p : t.partitions()) {
          rt.partitions()
              .add(
                  new TxnOffsetCommitResponsePartition()
                      .setPartitionIndex(p.partitionIndex())
                      .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        unknown.add(rt);
        continue;
      }
      for (TxnOffsetCommitRequestPartition p : t.partitions()) {
        TopicPartition tp = new TopicPartition(name.get(), p.partitionIndex());
        if (!knownPartitions.exists(tp)) {
          // As Kafka: a partition missing from the metadata is refused; the others are committed.
          missing.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
          continue;
        }
        offsets.put(
            tp,
            new OffsetAndMetadata(
                p.committedOffset(),
                version >= 2 ? p.committedLeaderEpoch() : OffsetAndMetadata.NO_LEADER_EPOCH,
                p.committedMetadata() == null ? "" : p.committedMetadata(),
                -1));
      }
    }
    if (req.groupId() == null || req.groupId().isEmpty()) {
      return CompletableFuture.completedFuture(
          response(all(offsets, Errors.INVALID_GROUP_ID), unknown, byId));
    }
    TopicPartition offsetsPartition =
        new TopicPartition(GroupCoordinator.OFFSETS_TOPIC, groups.partitionFor(req.groupId()));
    boolean v2 = version >= V2_VERSION;
    return verifier
        .verify(
            req.transactionalId(),
            req.producerId(),
            req.producerEpoch(),
            Set.of(offsetsPartition),
            v2)
        .thenCompose(
            verified -> {
              Errors e = verified.getOrDefault(offsetsPartition, Errors.UNKNOWN_SERVER_ERROR);
              if (e != Errors.NONE) {
                return CompletableFuture.completedFuture(all(offsets, clientError(e)));
              }
              return groups.commitTransactionalOffsets(
                  req.groupId(),
                  req.producerId(),
                  req.producerEpoch(),
                  version >= 3 ? req.memberId() : "",
                  version >= 3 ? req.groupInstanceId() : null,
                  version >= 3 ? req.generationIdOrMemberEpoch() : -1,
                  offsets);
            })
        .thenApply(
            errors -> {
              Map<TopicPartition, Errors> all = new LinkedHashMap<>(errors);
              all.putAll(missing);
              return response(all, unknown, byId);
            });
  }

  /** Coordinator errors the producer retries as such; a fenced or invalid producer is fatal. */
  private static Errors clientError(Errors e) {
    return switch (e) {
      case CONCURRENT_TRANSACTIONS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR ->
          Errors.COORDINATOR_LOAD_IN_PROGRESS;
      case INVALID_TXN_STATE -> Errors.INVALID_TXN_STATE;
      default -> e;
    };
  }

  private AbstractResponse response(
      Map<TopicPartition, Errors> errors,
      List<TxnOffsetCommitResponseTopic> unknown,
      boolean byId) {
    Map<String, TxnOffsetCommitResponseTopic> topics = new LinkedHashMap<>();
    errors.forEach(
        (tp, e) ->
            topics
                .computeIfAbsent(
                    tp.topic(),
                    t -> {
                      TxnOffsetCommitResponseTopic rt =
                          new TxnOffsetCommitResponseTopic().setName(t);
                      if (byId) {
                        topicIds.topicId(t).ifPresent(rt::setTopicId);
                      }
                      return rt;
                    })
                .partitions()
                .add(
                    new TxnOffsetCommitResponsePartition()
                        .setPartitionIndex(tp.partition())
                        .setErrorCode(e.code())));
    List<TxnOffsetCommitResponseTopic> out = new ArrayList<>(topics.values());
    out.addAll(unknown);
    return new TxnOffsetCommitResponse(new TxnOffsetCommitResponseData().setTopics(out));
  }

  private static Map<TopicPartition, Errors> all(
      Map<TopicPartition, OffsetAndMetadata> offsets, Errors e) {
    Map<TopicPartition, Errors> out = new LinkedHashMap<>();
    for (TopicPartition tp : offsets.keySet()) {
      out.put(tp, e);
    }
    return out;
  }
}
