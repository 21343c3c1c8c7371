package dev.ferry.server.telemetry;

import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.telemetry.ClientMetricsManager;
import dev.ferry.telemetry.ClientSoftware;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.PushTelemetryRequest;
import org.apache.kafka.common.requests.PushTelemetryResponse;

/** PushTelemetry (KIP-714): a client instance pushes the metrics it was subscribed to. */
public final class PushTelemetryHandler extends ApiHandler<PushTelemetryRequest> {

  private final ClientMetricsManager manager;
  private final ClientSoftware software;

  public PushTelemetryHandler(ClientMetricsManager manager, ClientSoftware software) {
    super(ApiKeys.PUSH_TELEMETRY, PushTelemetryRequest.class);
    this.manager = manager;
    this.software = software;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, PushTelemetryRequest body) {
    return CompletableFuture.completedFuture(
        new PushTelemetryResponse(
            manager.push(body.data(), TelemetryRequests.attributes(request, software))));
  }
}
