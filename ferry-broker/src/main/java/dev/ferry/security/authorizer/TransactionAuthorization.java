package dev.ferry.security.authorizer;

import static dev.ferry.security.authorizer.RequestAuthorizer.deny;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeProducersResponse;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.DescribeTransactionsResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.ListTransactionsResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;

/**
 * The transactional APIs, checked as Kafka checks them: WRITE on the transactional id, then READ on
 * the group or WRITE/READ on the topics. A client's AddPartitionsToTxn with a denied topic adds
 * nothing: TOPIC_AUTHORIZATION_FAILED for its partitions, OPERATION_NOT_ATTEMPTED for the others.
 * The admin side (Describe/ListTransactions, DescribeProducers) needs DESCRIBE on the transactional
 * id or READ on the topic, and answers only about what the principal may see.
 */
final class TransactionAuthorization {

  private static Exception txnDenied() {
    return new TransactionalIdAuthorizationException("Transactional Id authorization failed.");
  }

  CompletableFuture<AbstractResponse> endTxn(
      NetworkRequest request, Access access, RequestDispatcher next) {
    String id = ((EndTxnRequest) request.body()).data().transactionalId();
    return access.transactionalId(AclOperation.WRITE, id)
        ? next.dispatch(request)
        : deny(request, txnDenied());
  }

  CompletableFuture<AbstractResponse> addOffsetsToTxn(
      NetworkRequest request, Access access, RequestDispatcher next) {
    var data = ((AddOffsetsToTxnRequest) request.body()).data();
    if (!access.transactionalId(AclOperation.WRITE, data.transactionalId())) {
      return deny(request, txnDenied());
    }
    return access.group(AclOperation.READ, data.groupId())
        ? next.dispatch(request)
        : deny(request, new GroupAuthorizationException("Group authorization failed."));
  }

  CompletableFuture<AbstractResponse> addPartitionsToTxn(
      NetworkRequest request, Access access, RequestDispatcher next) {
    AddPartitionsToTxnRequest body = (AddPartitionsToTxnRequest) request.body();
    if (request.header().apiVersion() >= 4) {
      // The broker-to-coordinator form (KIP-890): brokers only.
      return access.cluster(AclOperation.CLUSTER_ACTION)
          ? next.dispatch(request)
          : deny(request, new ClusterAuthorizationException("Cluster authorization failed."));
    }
    String transactionalId = body.data().v3AndBelowTransactionalId();
    if (!access.transactionalId(AclOperation.WRITE, transactionalId)) {
      return deny(request, txnDenied());
    }
    Map<TopicPartition, Errors> errors = new HashMap<>();
    boolean anyDenied = false;
    for (AddPartitionsToTxnTopic t : body.data().v3AndBelowTopics()) {
      boolean allowed = access.topic(AclOperation.WRITE, t.name());
      anyDenied |= !allowed;
      for (int partition : t.partitions()) {
        errors.put(
            new TopicPartition(t.name(), partition),
            allowed ? Errors.OPERATION_NOT_ATTEMPTED : Errors.TOPIC_AUTHORIZATION_FAILED);
      }
    }
    if (!anyDenied) {
      return next.dispatch(request);
    }
    // One denied topic fails the whole request: nothing is added to the transaction.
    AddPartitionsToTxnResponseData data =
        new AddPartitionsToTxnResponseData()
            .setResultsByTopicV3AndBelow(
                AddPartitionsToTxnResponse.resultForTransaction(transactionalId, errors)
                    .topicResults());
    return CompletableFuture.completedFuture(new AddPartitionsToTxnResponse(data));
  }

  /**
   * DESCRIBE on each transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED for the others); the
   * partitions of a described transaction are shown only for topics the principal may describe.
   */
  CompletableFuture<AbstractResponse> describeTransactions(
      NetworkRequest request, Access access, RequestDispatcher next) {
    DescribeTransactionsRequestData data = ((DescribeTransactionsRequest) request.body()).data();
    List<String> allowed = new ArrayList<>();
    List<String> denied = new ArrayList<>();
    for (String id : data.transactionalIds()) {
      (access.transactionalId(AclOperation.DESCRIBE, id) ? allowed : denied).add(id);
    }
    CompletableFuture<AbstractResponse> described;
    if (allowed.isEmpty()) {
      described =
          CompletableFuture.completedFuture(
              new DescribeTransactionsResponse(new DescribeTransactionsResponseData()));
    } else {
      data.setTransactionalIds(allowed);
      described = next.dispatch(request);
    }
    return described.thenApply(
        r -> {
          DescribeTransactionsResponseData out = ((DescribeTransactionsResponse) r).data();
          for (TransactionState state : out.transactionStates()) {
            state.topics().removeIf(t -> !access.topic(AclOperation.DESCRIBE, t.topic()));
          }
          for (String id : denied) {
            out.transactionStates()
                .add(
                    new TransactionState()
                        .setTransactionalId(id)
                        .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
          }
          return r;
        });
  }

  /** Only the transactions whose id the principal may describe. */
  CompletableFuture<AbstractResponse> listTransactions(
      NetworkRequest request, Access access, RequestDispatcher next) {
    return next.dispatch(request)
        .thenApply(
            r -> {
              ((ListTransactionsResponse) r)
                  .data()
                  .transactionStates()
                  .removeIf(
                      t -> !access.transactionalId(AclOperation.DESCRIBE, t.transactionalId()));
              return r;
            });
  }

  /** READ on each topic; the partitions of the others answer TOPIC_AUTHORIZATION_FAILED. */
  CompletableFuture<AbstractResponse> describeProducers(
      NetworkRequest request, Access access, RequestDispatcher next) {
    DescribeProducersRequestData data = ((DescribeProducersRequest) request.body()).data();
    List<TopicRequest> denied = new ArrayList<>();
    data.topics()
        .removeIf(
            t -> {
              boolean refused = !access.topic(AclOperation.READ, t.name());
              if (refused) {
                denied.add(t);
              }
              return refused;
            });
    CompletableFuture<AbstractResponse> described =
        data.topics().isEmpty()
            ? CompletableFuture.completedFuture(
                new DescribeProducersResponse(new DescribeProducersResponseData()))
            : next.dispatch(request);
    return described.thenApply(
        r -> {
          List<TopicResponse> topics = ((DescribeProducersResponse) r).data().topics();
          for (TopicRequest t : denied) {
            List<PartitionResponse> partitions = new ArrayList<>();
            for (int p : t.partitionIndexes()) {
              partitions.add(
                  new PartitionResponse()
                      .setPartitionIndex(p)
                      .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                      .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message()));
            }
            topics.add(new TopicResponse().setName(t.name()).setPartitions(partitions));
          }
          return r;
        });
  }

  CompletableFuture<AbstractResponse> txnOffsetCommit(
      NetworkRequest request, Access access, RequestDispatcher next) {
    var data = ((TxnOffsetCommitRequest) request.body()).data();
    if (!access.transactionalId(AclOperation.WRITE, data.transactionalId())) {
      return deny(request, txnDenied());
    }
    if (!access.group(AclOperation.READ, data.groupId())) {
      return deny(request, new GroupAuthorizationException("Group authorization failed."));
    }
    for (TxnOffsetCommitRequestTopic t : data.topics()) {
      if (!access.topic(AclOperation.READ, t.name())) {
        return deny(request, new TopicAuthorizationException("Topic authorization failed."));
      }
    }
    return next.dispatch(request);
  }
}
