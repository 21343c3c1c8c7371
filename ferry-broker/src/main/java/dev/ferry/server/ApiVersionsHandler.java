package dev.ferry.server;

import dev.ferry.network.NetworkRequest;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * Answers ApiVersions. A request newer than we know is answered (in the v0 format, which the codec
 * selects for such requests) with UNSUPPORTED_VERSION and our table, so the client can retry with a
 * version we share (KIP-511).
 */
public final class ApiVersionsHandler extends ApiHandler<ApiVersionsRequest> {

  private final Supplier<ApiVersionCollection> supportedApis;

  public ApiVersionsHandler(Supplier<ApiVersionCollection> supportedApis) {
    // Every version the codec parses: newer ones arrive as v0 requests with an unsupported flag.
    super(
        ApiKeys.API_VERSIONS,
        ApiVersionsRequest.class,
        0,
        ApiKeys.API_VERSIONS.latestVersion(false));
    this.supportedApis = supportedApis;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ApiVersionsRequest req) {
    ApiVersionsResponseData data =
        new ApiVersionsResponseData().setApiKeys(supportedApis.get().duplicate());
    if (req.hasUnsupportedRequestVersion()) {
      data.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
    } else if (!req.isValid()) {
      data.setErrorCode(Errors.INVALID_REQUEST.code());
    } else {
      data.setErrorCode(Errors.NONE.code());
    }
    return CompletableFuture.completedFuture(new ApiVersionsResponse(data));
  }
}
