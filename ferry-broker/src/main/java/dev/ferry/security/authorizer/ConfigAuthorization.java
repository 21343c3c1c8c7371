package dev.ferry.security.authorizer;

import static dev.ferry.security.authorizer.DeniedItems.answerWith;
import static dev.ferry.security.authorizer.DeniedItems.refusals;
import static dev.ferry.security.authorizer.DeniedItems.removeDenied;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;

/**
 * The checks of the three config APIs. A config resource is a topic, a group or the cluster (broker
 * and logger configs), and a refusal names the resource's own authorization error, as in Kafka.
 */
final class ConfigAuthorization {

  CompletableFuture<AbstractResponse> describeConfigs(
      NetworkRequest request, Access access, RequestDispatcher next) {
    List<DescribeConfigsResource> denied =
        removeDenied(
            ((DescribeConfigsRequest) request.body()).data().resources(),
            c ->
                allowed(access, AclOperation.DESCRIBE_CONFIGS, c.resourceType(), c.resourceName()));
    List<DescribeConfigsResult> refused =
        refusals(
            denied,
            c -> {
              Errors error = denied(c.resourceType());
              return new DescribeConfigsResult()
                  .setErrorCode(error.code())
                  .setErrorMessage(error.message())
                  .setResourceType(c.resourceType())
                  .setResourceName(c.resourceName());
            });
    return answerWith(
        request, next, refused, DescribeConfigsResponse.class, r -> r.data().results());
  }

  CompletableFuture<AbstractResponse> alterConfigs(
      NetworkRequest request, Access access, RequestDispatcher next) {
    List<AlterConfigsRequestData.AlterConfigsResource> denied =
        removeDenied(
            ((AlterConfigsRequest) request.body()).data().resources(),
            c -> allowed(access, AclOperation.ALTER_CONFIGS, c.resourceType(), c.resourceName()));
    List<AlterConfigsResponseData.AlterConfigsResourceResponse> refused =
        refusals(
            denied,
            c -> {
              Errors error = denied(c.resourceType());
              return new AlterConfigsResponseData.AlterConfigsResourceResponse()
                  .setErrorCode(error.code())
                  .setErrorMessage(error.message())
                  .setResourceType(c.resourceType())
                  .setResourceName(c.resourceName());
            });
    return answerWith(
        request, next, refused, AlterConfigsResponse.class, r -> r.data().responses());
  }

  CompletableFuture<AbstractResponse> incrementalAlterConfigs(
      NetworkRequest request, Access access, RequestDispatcher next) {
    List<IncrementalAlterConfigsRequestData.AlterConfigsResource> denied =
        removeDenied(
            ((IncrementalAlterConfigsRequest) request.body()).data().resources(),
            c -> allowed(access, AclOperation.ALTER_CONFIGS, c.resourceType(), c.resourceName()));
    List<IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse> refused =
        refusals(
            denied,
            c -> {
              Errors error = denied(c.resourceType());
              return new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                  .setErrorCode(error.code())
                  .setErrorMessage(error.message())
                  .setResourceType(c.resourceType())
                  .setResourceName(c.resourceName());
            });
    return answerWith(
        request, next, refused, IncrementalAlterConfigsResponse.class, r -> r.data().responses());
  }

  /** The operation on a config resource: its topic, its group, or else the cluster. */
  static boolean allowed(Access access, AclOperation op, byte type, String name) {
    return switch (ConfigResource.Type.forId(type)) {
      case TOPIC -> access.topic(op, name);
      case GROUP -> access.group(op, name);
      default -> access.cluster(op);
    };
  }

  /** The error Kafka gives when a config resource is denied. */
  static Errors denied(byte type) {
    return switch (ConfigResource.Type.forId(type)) {
      case TOPIC -> Errors.TOPIC_AUTHORIZATION_FAILED;
      case GROUP -> Errors.GROUP_AUTHORIZATION_FAILED;
      default -> Errors.CLUSTER_AUTHORIZATION_FAILED;
    };
  }
}
