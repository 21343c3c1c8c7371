package dev.ferry.server.telemetry;

import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.telemetry.ClientMetricsManager;
import dev.ferry.telemetry.ClientSoftware;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.GetTelemetrySubscriptionsRequest;
import org.apache.kafka.common.requests.GetTelemetrySubscriptionsResponse;

/** GetTelemetrySubscriptions (KIP-714): a client instance asks what metrics to push, how often. */
public final class GetTelemetrySubscriptionsHandler
    extends ApiHandler<GetTelemetrySubscriptionsRequest> {

  private final ClientMetricsManager manager;
  private final ClientSoftware software;

  public GetTelemetrySubscriptionsHandler(ClientMetricsManager manager, ClientSoftware software) {
    super(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, GetTelemetrySubscriptionsRequest.class);
    this.manager = manager;
    this.software = software;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, GetTelemetrySubscriptionsRequest body) {
    return CompletableFuture.completedFuture(
        new GetTelemetrySubscriptionsResponse(
            manager.getSubscriptions(
                body.data().clientInstanceId(), TelemetryRequests.attributes(request, software))));
  }
}
