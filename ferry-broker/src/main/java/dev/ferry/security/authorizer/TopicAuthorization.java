package dev.ferry.security.authorizer;

import static dev.ferry.security.authorizer.DeniedItems.answerWith;
import static dev.ferry.security.authorizer.DeniedItems.refusals;
import static dev.ferry.security.authorizer.DeniedItems.removeDenied;
import static dev.ferry.security.authorizer.RequestAuthorizer.deny;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResultCollection;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The per-topic checks of the topic APIs: unauthorized topics leave the request before the handler
 * and come back in the response with TOPIC_AUTHORIZATION_FAILED, so a handler never touches a topic
 * the principal may not use.
 */
final class TopicAuthorization {

  static final AclOperation[] TOPIC_OPERATIONS = {
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.CREATE,
    AclOperation.DELETE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS
  };

  static final AclOperation[] CLUSTER_OPERATIONS = {
    AclOperation.CREATE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE
  };

  private static final short DENIED = Errors.TOPIC_AUTHORIZATION_FAILED.code();

  private final Function<Uuid, Optional<String>> topicNames;
  private final Function<String, Boolean> topicExists;

  TopicAuthorization(
      Function<Uuid, Optional<String>> topicNames, Function<String, Boolean> topicExists) {
    this.topicNames = topicNames;
    this.topicExists = topicExists;
  }

  /** A topic's name from its name or (newer versions) its id; empty when the id is unknown. */
  private Optional<String> name(String name, Uuid id) {
    if (name != null && !name.isEmpty()) {
      return Optional.of(name);
    }
    return id == null || id.equals(Uuid.ZERO_UUID) ? Optional.empty() : topicNames.apply(id);
  }

  /** Unknown topic ids pass: the handler answers UNKNOWN_TOPIC_ID without revealing anything. */
  boolean allowed(Access access, AclOperation op, String name, Uuid id) {
    return name(name, id).map(n -> access.topic(op, n)).orElse(true);
  }

  CompletableFuture<AbstractResponse> metadata(
      NetworkRequest request, Access access, RequestDispatcher next) {
    MetadataRequest body = (MetadataRequest) request.body();
    List<MetadataRequestTopic> requested = body.data().topics();
    List<MetadataResponseTopic> refused = new ArrayList<>();
    if (requested != null) {
      boolean autoCreate = body.data().allowAutoTopicCreation();
      boolean clusterCreate = autoCreate && access.cluster(AclOperation.CREATE);
      for (MetadataRequestTopic t :
          removeDenied(
              requested,
              t -> {
                if (t.name() == null || !Uuid.ZERO_UUID.equals(t.topicId())) {
                  // Named by id (the Java client leaves the name empty, not null): decided
                  // on the answer, once the id has a name.
                  return true;
                }
                if (!access.topic(AclOperation.DESCRIBE, t.name())) {
                  return false;
                }
                return !autoCreate
                    || clusterCreate
                    || topicExists.apply(t.name())
                    || access.topic(AclOperation.CREATE, t.name());
              })) {
        refused.add(
            new MetadataResponseTopic()
                .setName(t.name())
                .setTopicId(Uuid.ZERO_UUID)
                .setErrorCode(DENIED)
                .setTopicAuthorizedOperations(Integer.MIN_VALUE));
      }
    }
    boolean topicOps = body.data().includeTopicAuthorizedOperations();
    boolean clusterOps = body.data().includeClusterAuthorizedOperations();
    return next.dispatch(request)
        .thenApply(
            r -> {
              MetadataResponseData data = ((MetadataResponse) r).data();
              Iterator<MetadataResponseTopic> it = data.topics().iterator();
              List<MetadataResponseTopic> hidden = new ArrayList<>();
              while (it.hasNext()) {
                MetadataResponseTopic t = it.next();
                if (t.name() != null && !access.topic(AclOperation.DESCRIBE, t.name())) {
                  it.remove();
                  if (requested != null) {
                    // Asked for by id (v10+): refused without its name, as in Kafka (ids are
                    // not secret, names are).
                    hidden.add(
                        new MetadataResponseTopic()
                            .setName(null)
                            .setTopicId(t.topicId())
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setTopicAuthorizedOperations(Integer.MIN_VALUE));
                  }
                } else if (topicOps && t.name() != null && t.errorCode() == 0) {
                  t.setTopicAuthorizedOperations(
                      access.operations(ResourceType.TOPIC, t.name(), TOPIC_OPERATIONS));
                }
              }
              for (MetadataResponseTopic t : refused) {
                data.topics().add(t);
              }
              for (MetadataResponseTopic t : hidden) {
                data.topics().add(t);
              }
              if (clusterOps) {
                data.setClusterAuthorizedOperations(clusterOperations(access));
              }
              return r;
            });
  }

  /** DescribeCluster's cluster authorized operations (0 without DESCRIBE, as Kafka). */
  AbstractResponse clusterOperations(AbstractResponse r, Access access) {
    if (r instanceof DescribeClusterResponse describe
        && describe.data().clusterAuthorizedOperations() != Integer.MIN_VALUE) {
      describe.data().setClusterAuthorizedOperations(clusterOperations(access));
    }
    return r;
  }

  static boolean wantsClusterOperations(DescribeClusterRequest request) {
    return request.data().includeClusterAuthorizedOperations();
  }

  private static int clusterOperations(Access access) {
    return access.cluster(AclOperation.DESCRIBE)
        ? access.operations(ResourceType.CLUSTER, Authorizer.CLUSTER_NAME, CLUSTER_OPERATIONS)
        : 0;
  }

  CompletableFuture<AbstractResponse> produce(
      NetworkRequest request, Access access, RequestDispatcher next) {
    ProduceRequest body = (ProduceRequest) request.body();
    String transactionalId = body.transactionalId();
    if (transactionalId != null && !access.transactionalId(AclOperation.WRITE, transactionalId)) {
      return deny(
          request,
          new TransactionalIdAuthorizationException("Transactional Id authorization failed."));
    }
    List<TopicProduceData> denied =
        removeDenied(
            body.data().topicData(),
            t -> allowed(access, AclOperation.WRITE, t.name(), t.topicId()));
    List<TopicProduceResponse> refused =
        refusals(
            denied,
            t ->
                new TopicProduceResponse()
                    .setName(t.name())
                    .setTopicId(t.topicId())
                    .setPartitionResponses(
                        refusals(
                            t.partitionData(),
                            p ->
                                new PartitionProduceResponse()
                                    .setIndex(p.index())
                                    .setErrorCode(DENIED)
                                    .setBaseOffset(-1)
                                    .setLogAppendTimeMs(-1)
                                    .setLogStartOffset(-1))));
    return answerWith(request, next, refused, ProduceResponse.class, r -> r.data().responses());
  }

  CompletableFuture<AbstractResponse> fetch(
      NetworkRequest request, Access access, RequestDispatcher next) {
    FetchRequest body = (FetchRequest) request.body();
    boolean follower = body.replicaId() >= 0;
    boolean clusterAction = follower && access.cluster(AclOperation.CLUSTER_ACTION);
    List<FetchTopic> denied =
        removeDenied(
            body.data().topics(),
            t ->
                follower
                    ? clusterAction
                    : allowed(access, AclOperation.READ, t.topic(), t.topicId()));
    if (!denied.isEmpty()) {
      // Errors are answered at once, as in Kafka: the fetch must not wait for data.
      body.data().setMaxWaitMs(0);
    }
    List<FetchableTopicResponse> refused =
        refusals(
            denied,
            t ->
                new FetchableTopicResponse()
                    .setTopic(t.topic())
                    .setTopicId(t.topicId())
                    .setPartitions(
                        refusals(
                            t.partitions(),
                            p ->
                                new PartitionData()
                                    .setPartitionIndex(p.partition())
                                    .setErrorCode(DENIED)
                                    .setHighWatermark(-1)
                                    .setLastStableOffset(-1)
                                    .setLogStartOffset(-1))));
    return answerWith(request, next, refused, FetchResponse.class, r -> r.data().responses());
  }

  CompletableFuture<AbstractResponse> listOffsets(
      NetworkRequest request, Access access, RequestDispatcher next) {
    List<ListOffsetsTopic> denied =
        removeDenied(
            ((ListOffsetsRequest) request.body()).data().topics(),
            t -> access.topic(AclOperation.DESCRIBE, t.name()));
    List<ListOffsetsTopicResponse> refused =
        refusals(
            denied,
            t ->
                new ListOffsetsTopicResponse()
                    .setName(t.name())
                    .setPartitions(
                        refusals(
                            t.partitions(),
                            p ->
                                new ListOffsetsPartitionResponse()
                                    .setPartitionIndex(p.partitionIndex())
                                    .setErrorCode(DENIED)
                                    .setTimestamp(-1)
                                    .setOffset(-1))));
    return answerWith(request, next, refused, ListOffsetsResponse.class, r -> r.data().topics());
  }

  CompletableFuture<AbstractResponse> offsetForLeaderEpoch(
      NetworkRequest request, Access access, RequestDispatcher next) {
    OffsetsForLeaderEpochRequest body = (OffsetsForLeaderEpochRequest) request.body();
    boolean follower = body.data().replicaId() >= 0;
    boolean clusterAction = follower && access.cluster(AclOperation.CLUSTER_ACTION);
    List<OffsetForLeaderTopic> denied =
        removeDenied(
            body.data().topics(),
            t -> follower ? clusterAction : access.topic(AclOperation.DESCRIBE, t.topic()));
    List<OffsetForLeaderTopicResult> refused =
        refusals(
            denied,
            t ->
                new OffsetForLeaderTopicResult()
                    .setTopic(t.topic())
                    .setPartitions(
                        refusals(
                            t.partitions(),
                            p ->
                                new EpochEndOffset()
                                    .setPartition(p.partition())
                                    .setErrorCode(DENIED)
                                    .setLeaderEpoch(-1)
                                    .setEndOffset(-1))));
    return answerWith(
        request, next, refused, OffsetsForLeaderEpochResponse.class, r -> r.data().topics());
  }

  CompletableFuture<AbstractResponse> createTopics(
      NetworkRequest request, Access access, RequestDispatcher next) {
    boolean clusterCreate = access.cluster(AclOperation.CREATE);
    List<CreatableTopic> denied =
        removeDenied(
            ((CreateTopicsRequest) request.body()).data().topics(),
            t -> clusterCreate || access.topic(AclOperation.CREATE, t.name()));
    List<CreatableTopicResult> refused =
        refusals(
            denied,
            t ->
                new CreatableTopicResult()
                    .setName(t.name())
                    .setErrorCode(DENIED)
                    .setErrorMessage("Authorization failed.")
                    .setNumPartitions(-1)
                    .setReplicationFactor((short) -1)
                    .setTopicConfigErrorCode(DENIED));
    return answerWith(request, next, refused, CreateTopicsResponse.class, r -> r.data().topics());
  }

  CompletableFuture<AbstractResponse> deleteTopics(
      NetworkRequest request, Access access, RequestDispatcher next) {
    DeleteTopicsRequest body = (DeleteTopicsRequest) request.body();
    List<DeletableTopicResult> refused =
        refusals(
            removeDenied(body.data().topicNames(), n -> access.topic(AclOperation.DELETE, n)),
            n -> new DeletableTopicResult().setName(n).setErrorCode(DENIED));
    refused.addAll(
        refusals(
            removeDenied(
                body.data().topics(),
                t -> allowed(access, AclOperation.DELETE, t.name(), t.topicId())),
            t ->
                new DeletableTopicResult()
                    .setName(t.name())
                    .setTopicId(t.topicId())
                    .setErrorCode(DENIED)));
    return answerWith(
        request, next, refused, DeleteTopicsResponse.class, r -> r.data().responses());
  }

  CompletableFuture<AbstractResponse> createPartitions(
      NetworkRequest request, Access access, RequestDispatcher next) {
    List<CreatePartitionsTopic> denied =
        removeDenied(
            ((CreatePartitionsRequest) request.body()).data().topics(),
            t -> access.topic(AclOperation.ALTER, t.name()));
    List<CreatePartitionsTopicResult> refused =
        refusals(
            denied,
            t ->
                new CreatePartitionsTopicResult()
                    .setName(t.name())
                    .setErrorCode(DENIED)
                    .setErrorMessage("Authorization failed."));
    return answerWith(
        request, next, refused, CreatePartitionsResponse.class, r -> r.data().results());
  }

  CompletableFuture<AbstractResponse> deleteRecords(
      NetworkRequest request, Access access, RequestDispatcher next) {
    List<DeleteRecordsTopic> denied =
        removeDenied(
            ((DeleteRecordsRequest) request.body()).data().topics(),
            t -> access.topic(AclOperation.DELETE, t.name()));
    List<DeleteRecordsTopicResult> refused =
        refusals(
            denied,
            t ->
                new DeleteRecordsTopicResult()
                    .setName(t.name())
                    .setPartitions(
                        new DeleteRecordsPartitionResultCollection(
                            refusals(
                                    t.partitions(),
                                    p ->
                                        new DeleteRecordsPartitionResult()
                                            .setPartitionIndex(p.partitionIndex())
                                            .setLowWatermark(-1)
                                            .setErrorCode(DENIED))
                                .iterator())));
    return answerWith(request, next, refused, DeleteRecordsResponse.class, r -> r.data().topics());
  }
}
