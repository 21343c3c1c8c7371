package dev.ferry.broker;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.MetadataView;
import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.MetadataResponse;

/**
 * Shows each listener's clients the brokers' endpoints on that same listener, as Kafka does.
 * Handlers answer with the brokers' inter-broker endpoints; for a request that came in on another
 * listener, the broker addresses of Metadata, DescribeCluster and FindCoordinator responses are
 * replaced with the advertised endpoints of the request's listener, and brokers without that
 * listener are left out. Requests on the inter-broker listener pass untouched.
 */
final class ListenerEndpoints implements RequestDispatcher {

  private final RequestDispatcher delegate;
  private final MetadataView metadata;
  private final String interBrokerListener;

  ListenerEndpoints(RequestDispatcher delegate, MetadataView metadata, String interBrokerListener) {
    this.delegate = delegate;
    this.metadata = metadata;
    this.interBrokerListener = interBrokerListener;
  }

  @Override
  public void connectionClosed(String connectionId) {
    delegate.connectionClosed(connectionId);
  }

  @Override
  public CompletableFuture<AbstractResponse> dispatch(NetworkRequest request) {
    CompletableFuture<AbstractResponse> response = delegate.dispatch(request);
    String listener = request.listenerName();
    if (listener.equals(interBrokerListener)) {
      return response;
    }
    return switch (request.header().apiKey()) {
      case METADATA, DESCRIBE_CLUSTER, FIND_COORDINATOR ->
          response.thenApply(r -> rewrite(r, listener));
      default -> response;
    };
  }

  private AbstractResponse rewrite(AbstractResponse response, String listener) {
    if (response instanceof MetadataResponse metadataResponse) {
      Iterator<MetadataResponseBroker> it = metadataResponse.data().brokers().iterator();
      while (it.hasNext()) {
        MetadataResponseBroker b = it.next();
        Optional<BrokerInfo.Endpoint> endpoint = endpoint(b.nodeId(), listener);
        if (endpoint.isEmpty()) {
          it.remove();
        } else {
          b.setHost(endpoint.get().host()).setPort(endpoint.get().port());
        }
      }
    } else if (response instanceof DescribeClusterResponse describe) {
      Iterator<DescribeClusterBroker> it = describe.data().brokers().iterator();
      while (it.hasNext()) {
        DescribeClusterBroker b = it.next();
        Optional<BrokerInfo.Endpoint> endpoint = endpoint(b.brokerId(), listener);
        if (endpoint.isEmpty()) {
          it.remove();
        } else {
          b.setHost(endpoint.get().host()).setPort(endpoint.get().port());
        }
      }
    } else if (response instanceof FindCoordinatorResponse find) {
      // Before v4 one coordinator at the top level; from v4 a list (the top level stays unset).
      if (find.data().coordinators().isEmpty() && find.data().nodeId() >= 0) {
        endpoint(find.data().nodeId(), listener)
            .ifPresent(e -> find.data().setHost(e.host()).setPort(e.port()));
      }
      for (Coordinator c : find.data().coordinators()) {
        if (c.nodeId() >= 0) {
          endpoint(c.nodeId(), listener).ifPresent(e -> c.setHost(e.host()).setPort(e.port()));
        }
      }
    }
    return response;
  }

  private Optional<BrokerInfo.Endpoint> endpoint(int brokerId, String listener) {
    return metadata.liveBroker(brokerId).flatMap(b -> b.endpoint(listener));
  }
}
