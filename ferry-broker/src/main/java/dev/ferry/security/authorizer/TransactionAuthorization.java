package dev.ferry.security.authorizer;

import static dev.ferry.security.authorizer.RequestAuthorizer.deny;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;

/**
 * The transactional APIs: WRITE on the transactional id, then READ on the group or WRITE/READ on
 * the topics, as Kafka. Unlike the topic APIs these answer a denied topic by failing the whole
 * request with TOPIC_AUTHORIZATION_FAILED (Kafka fails the other partitions with
 * OPERATION_NOT_ATTEMPTED; the client aborts the transaction either way).
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
    if (!access.transactionalId(AclOperation.WRITE, body.data().v3AndBelowTransactionalId())) {
      return deny(request, txnDenied());
    }
    for (AddPartitionsToTxnTopic t : body.data().v3AndBelowTopics()) {
      if (!access.topic(AclOperation.WRITE, t.name())) {
        return deny(request, new TopicAuthorizationException("Topic authorization failed."));
      }
    }
    return next.dispatch(request);
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
