package dev.ferry.server.cluster;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.authz.AuthorizedOperations;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBrokerCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;

/** DescribeCluster: live brokers, controller and cluster id (Admin.describeCluster). */
public final class DescribeClusterHandler extends ApiHandler<DescribeClusterRequest> {

  private final ClusterView cluster;
  private final AuthorizedOperations authorizedOperations;

  public DescribeClusterHandler(ClusterView cluster) {
    this(cluster, AuthorizedOperations.allowAll());
  }

  /** With {@code authorizedOperations} filling the cluster's operations when asked (KIP-430). */
  public DescribeClusterHandler(ClusterView cluster, AuthorizedOperations authorizedOperations) {
    super(ApiKeys.DESCRIBE_CLUSTER, DescribeClusterRequest.class);
    this.cluster = cluster;
    this.authorizedOperations = authorizedOperations;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DescribeClusterRequest req) {
    DescribeClusterBrokerCollection brokers = new DescribeClusterBrokerCollection();
    for (BrokerInfo b : cluster.liveBrokers()) {
      brokers.add(
          new DescribeClusterBroker()
              .setBrokerId(b.id())
              .setHost(b.host())
              .setPort(b.port())
              .setRack(b.rack())
              .setIsFenced(false));
    }
    DescribeClusterResponseData data =
        new DescribeClusterResponseData()
            .setErrorCode(Errors.NONE.code())
            .setEndpointType(req.data().endpointType())
            .setClusterId(cluster.clusterId())
            .setControllerId(cluster.controllerId())
            .setBrokers(brokers)
            .setClusterAuthorizedOperations(
                req.data().includeClusterAuthorizedOperations()
                    ? authorizedOperations.ofCluster(request)
                    : AuthorizedOperations.OMITTED);
    return CompletableFuture.completedFuture(new DescribeClusterResponse(data));
  }
}
