package dev.ferry.server.produce;

import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.CloseConnectionException;
import dev.ferry.network.NetworkRequest;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.LeaderHints;
import dev.ferry.server.txn.TransactionVerifier;
import dev.ferry.storage.AppendResult;
import dev.ferry.storage.InvalidRecordsException;
import dev.ferry.storage.txn.VerificationGuard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.LeaderIdAndEpoch;
import org.apache.kafka.common.message.ProduceResponseData.NodeEndpoint;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponseCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends each partition's batches to the local leader log, on the calling network thread: the
 * append is a validated memory-to-page-cache copy, cheaper than a hand-off to another thread.
 *
 * <p>acks=1 answers after the local append. acks=all first requires min.insync.replicas in the ISR
 * (else NOT_ENOUGH_REPLICAS, nothing appended), then parks until the high watermark passes every
 * appended batch (no thread waits; follower fetches complete it) or the request's timeout expires.
 */
public final class ProduceHandler extends ApiHandler<ProduceRequest> {

  private static final Logger log = LoggerFactory.getLogger(ProduceHandler.class);

  private final MetadataView metadata;
  private final ReplicaManager replicaManager;
  private final LeaderHints leaderHints;
  private final TransactionVerifier transactions;
  private final ProduceValidation validation;

  public ProduceHandler(MetadataView metadata, ReplicaManager replicaManager) {
    this(metadata, replicaManager, null);
  }

  public ProduceHandler(
      MetadataView metadata, ReplicaManager replicaManager, TransactionVerifier transactions) {
    this(metadata, replicaManager, transactions, new ProduceValidation());
  }

  /**
   * @param transactions checks (v1) or adds (v2) a partition with the producer's transaction
   *     coordinator before the first batch of a transaction is appended there; null refuses
   *     transactional batches of producers the partition does not know in a transaction
   * @param validation checks the records of topics that ask for it (schema ids) before appending
   */
  public ProduceHandler(
      MetadataView metadata,
      ReplicaManager replicaManager,
      TransactionVerifier transactions,
      ProduceValidation validation) {
    // Advertised from v0 although v0-2 are rejected: librdkafka disables compression unless v0-2
    // are listed (KAFKA-18659); the codec refuses to parse those versions anyway.
    super(ApiKeys.PRODUCE, ProduceRequest.class, 0, ApiKeys.PRODUCE.latestVersion(false));
    this.metadata = metadata;
    this.replicaManager = replicaManager;
    this.leaderHints = new LeaderHints(metadata);
    this.transactions = transactions;
    this.validation = validation;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(NetworkRequest request, ProduceRequest req) {
    if (req.transactionalId() == null) {
      return produce(request, req, Map.of(), Map.of());
    }
    // A transaction's first batch on a partition: its coordinator must know the partition is in
    // the transaction (v1) or add it (v2) before anything is appended. Each partition records a
    // guard before the coordinator is asked; the append checks it under the log's lock, so an
    // abort marker written meanwhile makes the append fail rather than open a transaction nobody
    // ends (Kafka's VerificationGuard).
    Map<TopicPartition, VerificationGuard> guards = new HashMap<>();
    Map<TopicPartition, RecordBatch> unverified = new HashMap<>();
    boolean byId = req.version() >= 13;
    for (TopicProduceData topicData : req.data().topicData()) {
      Optional<TopicMetadata> topic =
          byId ? metadata.topic(topicData.topicId()) : metadata.topic(topicData.name());
      if (topic.isEmpty()) {
        continue;
      }
      for (PartitionProduceData pd : topicData.partitionData()) {
        if (!(pd.records() instanceof MemoryRecords records)) {
          continue;
        }
        RecordBatch first = records.firstBatch();
        TopicPartition tp = new TopicPartition(topic.get().name(), pd.index());
        Partition partition = replicaManager.partition(tp);
        if (first == null || !first.isTransactional() || partition == null) {
          continue;
        }
        VerificationGuard guard =
            partition.startTransactionVerification(first.producerId(), first.producerEpoch());
        guards.put(tp, guard);
        if (guard != VerificationGuard.SENTINEL) {
          unverified.put(tp, first);
        }
      }
    }
    if (unverified.isEmpty()) {
      return produce(request, req, Map.of(), guards);
    }
    RecordBatch any = unverified.values().iterator().next();
    if (transactions == null) {
      Map<TopicPartition, Errors> refused = new HashMap<>();
      unverified.keySet().forEach(tp -> refused.put(tp, Errors.INVALID_TXN_STATE));
      cancel(refused.keySet(), guards, any);
      return produce(request, req, refused, guards);
    }
    return transactions
        .verify(
            req.transactionalId(),
            any.producerId(),
            any.producerEpoch(),
            unverified.keySet(),
            ProduceRequest.isTransactionV2Requested(req.version()))
        .thenCompose(
            verified -> {
              Map<TopicPartition, Errors> refused = new HashMap<>();
              verified.forEach(
                  (tp, e) -> {
                    if (e != Errors.NONE) {
                      refused.put(tp, produceError(e));
                    }
                  });
              cancel(refused.keySet(), guards, any);
              return produce(request, req, refused, guards);
            });
  }

  /** Forgets the guards of partitions whose verification the coordinator refused. */
  private void cancel(
      Iterable<TopicPartition> refused,
      Map<TopicPartition, VerificationGuard> guards,
      RecordBatch batch) {
    for (TopicPartition tp : refused) {
      Partition partition = replicaManager.partition(tp);
      VerificationGuard guard = guards.get(tp);
      if (partition != null && guard != null) {
        partition.cancelTransactionVerification(batch.producerId(), guard);
      }
    }
  }

  /**
   * A coordinator that is moving or busy finishing the previous transaction is a retriable
   * condition for the producer; Kafka answers it as NOT_ENOUGH_REPLICAS, which every producer
   * version retries.
   */
  private static Errors produceError(Errors verification) {
    return switch (verification) {
      case CONCURRENT_TRANSACTIONS,
          COORDINATOR_LOAD_IN_PROGRESS,
          COORDINATOR_NOT_AVAILABLE,
          NOT_COORDINATOR,
          NETWORK_EXCEPTION ->
          Errors.NOT_ENOUGH_REPLICAS;
      case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH;
      default -> verification;
    };
  }

  private CompletableFuture<AbstractResponse> produce(
      NetworkRequest request,
      ProduceRequest req,
      Map<TopicPartition, Errors> refused,
      Map<TopicPartition, VerificationGuard> guards) {
    short acks = req.acks();
    boolean byId = req.version() >= 13;
    TopicProduceResponseCollection responses = new TopicProduceResponseCollection();
    List<CompletableFuture<Errors>> waits = acks == -1 ? new ArrayList<>() : null;
    for (TopicProduceData topicData : req.data().topicData()) {
      Optional<TopicMetadata> topic =
          byId ? metadata.topic(topicData.topicId()) : metadata.topic(topicData.name());
      String name = topic.map(TopicMetadata::name).orElse(topicData.name());
      Uuid id = topic.map(TopicMetadata::topicId).orElse(topicData.topicId());
      List<PartitionProduceResponse> partitions = new ArrayList<>(topicData.partitionData().size());
      for (PartitionProduceData pd : topicData.partitionData()) {
        if (topic.isEmpty()) {
          partitions.add(
              error(
                  pd.index(), byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION));
        } else if (pd.index() < 0 || pd.index() >= topic.get().partitionCount()) {
          partitions.add(error(pd.index(), Errors.UNKNOWN_TOPIC_OR_PARTITION));
        } else if (acks != 0 && acks != 1 && acks != -1) {
          partitions.add(error(pd.index(), Errors.INVALID_REQUIRED_ACKS));
        } else if (refused.containsKey(new TopicPartition(name, pd.index()))) {
          partitions.add(error(pd.index(), refused.get(new TopicPartition(name, pd.index()))));
        } else {
          String invalid =
              pd.records() instanceof MemoryRecords records
                  ? validation.check(topic.get(), records)
                  : null;
          if (invalid != null) {
            log.debug("Produce to {}-{} refused: {}", name, pd.index(), invalid);
            partitions.add(
                error(pd.index(), Errors.INVALID_RECORD)
                    .setErrorMessage(invalid)
                    .setLogStartOffset(logStartOffset(new TopicPartition(name, pd.index()))));
          } else {
            TopicPartition tp = new TopicPartition(name, pd.index());
            partitions.add(append(tp, pd, acks, req, waits, guards.get(tp)));
          }
        }
      }
      if (req.version() >= 10 && topic.isPresent()) {
        hintLeaders(name, partitions);
      }
      TopicProduceResponse tr = new TopicProduceResponse().setPartitionResponses(partitions);
      if (byId) {
        tr.setTopicId(id);
      } else {
        tr.setName(name);
      }
      responses.add(tr);
    }
    if (acks == 0) {
      return acksZeroOutcome(responses);
    }
    ProduceResponseData data = new ProduceResponseData().setResponses(responses);
    if (req.version() >= 10) {
      addLeaderEndpoints(data, request.listenerName());
    }
    ProduceResponse response = new ProduceResponse(data);
    if (waits == null || waits.isEmpty()) {
      return CompletableFuture.completedFuture(response);
    }
    // Each wait already set its partition's error code when it completed.
    return CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]))
        .thenApply(ignored -> response);
  }

  /** KIP-951: a partition refused as not led here names its current leader and epoch. */
  private void hintLeaders(String topic, List<PartitionProduceResponse> partitions) {
    for (PartitionProduceResponse p : partitions) {
      if (p.errorCode() == Errors.NOT_LEADER_OR_FOLLOWER.code()) {
        leaderHints
            .leader(topic, p.index())
            .ifPresent(
                s ->
                    p.setCurrentLeader(
                        new LeaderIdAndEpoch()
                            .setLeaderId(s.leader())
                            .setLeaderEpoch(s.leaderEpoch())));
      }
    }
  }

  /** KIP-951: the endpoints of the leaders named in the partitions' current_leader fields. */
  private void addLeaderEndpoints(ProduceResponseData data, String listenerName) {
    for (TopicProduceResponse t : data.responses()) {
      for (PartitionProduceResponse p : t.partitionResponses()) {
        int leader = p.currentLeader().leaderId();
        if (leader >= 0 && data.nodeEndpoints().find(leader) == null) {
          leaderHints
              .endpoint(leader, listenerName)
              .ifPresent(
                  e ->
                      data.nodeEndpoints()
                          .add(
                              new NodeEndpoint()
                                  .setNodeId(e.nodeId())
                                  .setHost(e.host())
                                  .setPort(e.port())
                                  .setRack(e.rack())));
        }
      }
    }
  }

  private PartitionProduceResponse append(
      TopicPartition tp,
      PartitionProduceData pd,
      short acks,
      ProduceRequest req,
      List<CompletableFuture<Errors>> waits,
      VerificationGuard verification) {
    if (!(pd.records() instanceof MemoryRecords records)) {
      return error(pd.index(), Errors.CORRUPT_MESSAGE);
    }
    try {
      AppendResult r = replicaManager.appendAsLeader(tp, records, acks, verification);
      // A retry of a batch written too long ago for its offsets to be remembered: the client
      // counts DUPLICATE_SEQUENCE_NUMBER as delivered (without an offset) once it is replicated.
      Errors outcome = r.offsetsUnknown() ? Errors.DUPLICATE_SEQUENCE_NUMBER : Errors.NONE;
      PartitionProduceResponse out =
          new PartitionProduceResponse()
              .setIndex(pd.index())
              .setErrorCode(outcome.code())
              .setBaseOffset(r.firstOffset())
              .setLogAppendTimeMs(r.logAppendTimeMs())
              .setLogStartOffset(r.logStartOffset());
      Partition partition = replicaManager.partition(tp);
      if (waits != null && partition != null && r.lastOffset() >= 0) {
        waits.add(
            replicaManager
                .awaitReplication(
                    partition, partition.leaderEpoch(), r.lastOffset() + 1, req.timeout())
                .whenComplete(
                    (error, failure) -> {
                      Errors e = failure != null ? Errors.UNKNOWN_SERVER_ERROR : error;
                      if (e != Errors.NONE) {
                        log.debug("acks=all produce to {} ended with {}", tp, e);
                        out.setErrorCode(e.code())
                            .setBaseOffset(ProduceResponse.INVALID_OFFSET)
                            .setLogAppendTimeMs(-1)
                            .setLogStartOffset(-1);
                      }
                    }));
      }
      return out;
    } catch (ApiException e) {
      log.debug("Produce to {} failed: {}", tp, e.toString());
      PartitionProduceResponse out =
          error(pd.index(), Errors.forException(e)).setErrorMessage(e.getMessage());
      if (e instanceof InvalidRecordsException invalid) {
        // KIP-467: name the refused records, so the client fails only those.
        for (InvalidRecordsException.RecordError re : invalid.recordErrors()) {
          out.recordErrors()
              .add(
                  new BatchIndexAndErrorMessage()
                      .setBatchIndex(re.batchIndex())
                      .setBatchIndexErrorMessage(re.message()));
        }
      }
      // As Kafka: a refusal of the records themselves reports where the log starts; a refusal
      // that says nothing about this log (not the leader, too large, corrupt) reports -1.
      Partition partition = replicaManager.partition(tp);
      if (partition != null && reportsLogStart(Errors.forException(e))) {
        out.setLogStartOffset(partition.logStartOffset());
      }
      return out;
    } catch (RuntimeException e) {
      log.error("Produce to {} failed unexpectedly", tp, e);
      return error(pd.index(), Errors.forException(e));
    }
  }

  /**
   * acks=0 gets no response; a failure closes the connection instead, as in Kafka, so the client
   * refreshes its metadata (e.g. finds a partition's new leader) rather than keep sending records
   * that are dropped.
   */
  private static CompletableFuture<AbstractResponse> acksZeroOutcome(
      TopicProduceResponseCollection responses) {
    for (TopicProduceResponse topic : responses) {
      for (PartitionProduceResponse partition : topic.partitionResponses()) {
        if (partition.errorCode() != Errors.NONE.code()
            && partition.errorCode() != Errors.DUPLICATE_SEQUENCE_NUMBER.code()) {
          return CompletableFuture.failedFuture(
              new CloseConnectionException(
                  "acks=0 produce to "
                      + (topic.name() == null || topic.name().isEmpty()
                          ? topic.topicId()
                          : topic.name())
                      + "-"
                      + partition.index()
                      + " failed with "
                      + Errors.forCode(partition.errorCode())));
        }
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  private long logStartOffset(TopicPartition tp) {
    Partition partition = replicaManager.partition(tp);
    return partition == null ? -1 : partition.logStartOffset();
  }

  private static boolean reportsLogStart(Errors error) {
    return switch (error) {
      case UNKNOWN_TOPIC_OR_PARTITION,
          UNKNOWN_TOPIC_ID,
          NOT_LEADER_OR_FOLLOWER,
          MESSAGE_TOO_LARGE,
          RECORD_LIST_TOO_LARGE,
          CORRUPT_MESSAGE,
          KAFKA_STORAGE_ERROR ->
          false;
      default -> true;
    };
  }

  private static PartitionProduceResponse error(int partition, Errors error) {
    return new PartitionProduceResponse()
        .setIndex(partition)
        .setErrorCode(error.code())
        .setBaseOffset(ProduceResponse.INVALID_OFFSET)
        .setLogAppendTimeMs(-1)
        .setLogStartOffset(-1);
  }
}
