package dev.ferry.security.authorizer;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import dev.ferry.server.authz.OperationCheck;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every request against the authorizer before the broker runs it, as Kafka's request
 * handlers do, with Kafka's error codes. Whole-request checks (cluster, group, transactional id)
 * answer the request type's own error response. Per-topic checks take the unauthorized topics out
 * of the request before the handler sees it and put them back into the response with
 * TOPIC_AUTHORIZATION_FAILED ({@link TopicAuthorization}); read-only answers are filtered after
 * (Metadata never shows a topic the principal may not describe).
 *
 * <p>With no authorizer configured every request passes through untouched. An API this class does
 * not know is allowed only to principals with CLUSTER_ACTION (the safe default for APIs added
 * later).
 */
public final class RequestAuthorizer implements RequestDispatcher {

  private static final Logger log = LoggerFactory.getLogger(RequestAuthorizer.class);

  private final RequestDispatcher delegate;
  private final Authorizer authorizer;
  private final TopicAuthorization topics;
  private final GroupAuthorization groups;
  private final ShareAuthorization shares;
  private final ConsumerGroupAuthorization consumerGroups;
  private final ConfigAuthorization configs = new ConfigAuthorization();
  private final TransactionAuthorization transactions = new TransactionAuthorization();

  public RequestAuthorizer(
      RequestDispatcher delegate,
      Authorizer authorizer,
      Function<Uuid, Optional<String>> topicNames,
      Function<String, Boolean> topicExists) {
    this.delegate = delegate;
    this.authorizer = authorizer;
    this.topics = new TopicAuthorization(topicNames, topicExists);
    this.groups = new GroupAuthorization();
    this.shares = new ShareAuthorization(topics);
    this.consumerGroups = new ConsumerGroupAuthorization();
  }

  @Override
  public void connectionClosed(String connectionId) {
    delegate.connectionClosed(connectionId);
  }

  @Override
  public CompletableFuture<AbstractResponse> dispatch(NetworkRequest request) {
    if (!authorizer.enabled()) {
      return delegate.dispatch(request);
    }
    Access access = new Access(authorizer, request);
    ApiKeys api = request.header().apiKey();
    return switch (api) {
      case API_VERSIONS,
          SASL_HANDSHAKE,
          SASL_AUTHENTICATE,
          DESCRIBE_CLUSTER,
          // Authorizes each topic itself (an unauthorized one must not count against its page).
          DESCRIBE_TOPIC_PARTITIONS,
          CREATE_ACLS,
          DESCRIBE_ACLS,
          DELETE_ACLS,
          DESCRIBE_USER_SCRAM_CREDENTIALS,
          ALTER_USER_SCRAM_CREDENTIALS ->
          // The last five check the cluster resource themselves (they own their error shapes).
          delegate.dispatch(request).thenApply(r -> topics.clusterOperations(r, access));
      case METADATA -> topics.metadata(request, access, delegate);
      case PRODUCE -> topics.produce(request, access, delegate);
      case FETCH -> topics.fetch(request, access, delegate);
      case LIST_OFFSETS -> topics.listOffsets(request, access, delegate);
      case OFFSET_FOR_LEADER_EPOCH -> topics.offsetForLeaderEpoch(request, access, delegate);
      case CREATE_TOPICS -> topics.createTopics(request, access, delegate);
      case DELETE_TOPICS -> topics.deleteTopics(request, access, delegate);
      case CREATE_PARTITIONS -> topics.createPartitions(request, access, delegate);
      case DELETE_RECORDS -> topics.deleteRecords(request, access, delegate);
      case DESCRIBE_CONFIGS -> configs.describeConfigs(request, access, delegate);
      case ALTER_CONFIGS -> configs.alterConfigs(request, access, delegate);
      case INCREMENTAL_ALTER_CONFIGS -> configs.incrementalAlterConfigs(request, access, delegate);
      case FIND_COORDINATOR -> findCoordinator(request, access);
      case JOIN_GROUP, SYNC_GROUP, HEARTBEAT, LEAVE_GROUP ->
          groups.member(request, access, delegate);
      case OFFSET_COMMIT -> groups.offsetCommit(request, access, delegate, topics);
      case OFFSET_FETCH -> groups.offsetFetch(request, access, delegate);
      case DESCRIBE_GROUPS -> groups.describeGroups(request, access, delegate);
      case LIST_GROUPS -> groups.listGroups(request, access, delegate);
      case DELETE_GROUPS -> groups.deleteGroups(request, access, delegate);
      case OFFSET_DELETE -> groups.offsetDelete(request, access, delegate, topics);
      case CONSUMER_GROUP_HEARTBEAT -> consumerGroups.heartbeat(request, access, delegate);
      case CONSUMER_GROUP_DESCRIBE -> consumerGroups.describe(request, access, delegate);
      case SHARE_GROUP_HEARTBEAT -> shares.heartbeat(request, access, delegate);
      case SHARE_GROUP_DESCRIBE -> shares.describe(request, access, delegate);
      case SHARE_FETCH -> shares.fetch(request, access, delegate);
      case SHARE_ACKNOWLEDGE -> shares.acknowledge(request, access, delegate);
      case DESCRIBE_SHARE_GROUP_OFFSETS -> shares.describeOffsets(request, access, delegate);
      case ALTER_SHARE_GROUP_OFFSETS -> shares.alterOffsets(request, access, delegate);
      case DELETE_SHARE_GROUP_OFFSETS -> shares.deleteOffsets(request, access, delegate);
      case INIT_PRODUCER_ID -> initProducerId(request, access);
      case END_TXN -> transactions.endTxn(request, access, delegate);
      case ADD_OFFSETS_TO_TXN -> transactions.addOffsetsToTxn(request, access, delegate);
      case ADD_PARTITIONS_TO_TXN -> transactions.addPartitionsToTxn(request, access, delegate);
      case TXN_OFFSET_COMMIT -> transactions.txnOffsetCommit(request, access, delegate);
      case DESCRIBE_TRANSACTIONS -> transactions.describeTransactions(request, access, delegate);
      case LIST_TRANSACTIONS -> transactions.listTransactions(request, access, delegate);
      case DESCRIBE_PRODUCERS -> transactions.describeProducers(request, access, delegate);
      case ALTER_PARTITION_REASSIGNMENTS, ELECT_LEADERS ->
          cluster(request, access, AclOperation.ALTER);
      case DESCRIBE_CLIENT_QUOTAS, LIST_CONFIG_RESOURCES ->
          cluster(request, access, AclOperation.DESCRIBE_CONFIGS);
      // As in Kafka, any client may fetch its telemetry subscription and push its metrics.
      case GET_TELEMETRY_SUBSCRIPTIONS, PUSH_TELEMETRY -> delegate.dispatch(request);
      case ALTER_CLIENT_QUOTAS -> cluster(request, access, AclOperation.ALTER_CONFIGS);
      case LIST_PARTITION_REASSIGNMENTS, DESCRIBE_LOG_DIRS ->
          cluster(request, access, AclOperation.DESCRIBE);
      default -> {
        if (access.cluster(AclOperation.CLUSTER_ACTION)) {
          yield delegate.dispatch(request);
        }
        log.info(
            "Refusing {} from {}: no authorization rule for this API without CLUSTER_ACTION",
            api,
            request.principal());
        yield deny(request, new ClusterAuthorizationException("Cluster authorization failed."));
      }
    };
  }

  /**
   * {@code authorizer} as the check a handler asks when it authorizes item by item itself (all
   * allowed when no authorizer is configured).
   */
  public static OperationCheck operationCheck(Authorizer authorizer) {
    if (!authorizer.enabled()) {
      return OperationCheck.ALLOW_ALL;
    }
    return (request, operation, type, name) ->
        authorizer.authorize(request.principal(), request.clientAddress(), operation, type, name);
  }

  /** APIs that need one operation on the cluster resource, as Kafka checks them. */
  private CompletableFuture<AbstractResponse> cluster(
      NetworkRequest request, Access access, AclOperation operation) {
    return access.cluster(operation)
        ? delegate.dispatch(request)
        : deny(request, new ClusterAuthorizationException("Cluster authorization failed."));
  }

  static CompletableFuture<AbstractResponse> deny(NetworkRequest request, Exception error) {
    return CompletableFuture.completedFuture(request.body().getErrorResponse(0, error));
  }

  private CompletableFuture<AbstractResponse> findCoordinator(
      NetworkRequest request, Access access) {
    FindCoordinatorRequestData data = ((FindCoordinatorRequest) request.body()).data();
    boolean transaction = data.keyType() == FindCoordinatorRequest.CoordinatorType.TRANSACTION.id();
    ResourceType type = transaction ? ResourceType.TRANSACTIONAL_ID : ResourceType.GROUP;
    Exception error =
        transaction
            ? new TransactionalIdAuthorizationException("Transactional Id authorization failed.")
            : new GroupAuthorizationException("Group authorization failed.");
    if (request.header().apiVersion() < FindCoordinatorRequest.MIN_BATCHED_VERSION) {
      return access.allowed(AclOperation.DESCRIBE, type, data.key())
          ? delegate.dispatch(request)
          : deny(request, error);
    }
    return groups.findCoordinators(request, access, delegate, type);
  }

  private CompletableFuture<AbstractResponse> initProducerId(
      NetworkRequest request, Access access) {
    String transactionalId = ((InitProducerIdRequest) request.body()).data().transactionalId();
    if (transactionalId != null) {
      return access.transactionalId(AclOperation.WRITE, transactionalId)
          ? delegate.dispatch(request)
          : deny(
              request,
              new TransactionalIdAuthorizationException("Transactional Id authorization failed."));
    }
    // KIP-679: an idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on a topic.
    if (access.cluster(AclOperation.IDEMPOTENT_WRITE)
        || access.anyOfType(AclOperation.WRITE, ResourceType.TOPIC)) {
      return delegate.dispatch(request);
    }
    return deny(request, new ClusterAuthorizationException("Cluster authorization failed."));
  }
}
