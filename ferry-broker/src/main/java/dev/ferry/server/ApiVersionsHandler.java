package dev.ferry.server;

import dev.ferry.network.NetworkRequest;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKeyCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKeyCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * Answers ApiVersions. A request newer than we know is answered (in the v0 format, which the codec
 * selects for such requests) with UNSUPPORTED_VERSION and our table, so the client can retry with a
 * version we share (KIP-511).
 *
 * <p>From v3 the answer also lists feature levels (KIP-584). Ferry supports {@code
 * transaction.version} 0–2 and finalizes level 2, as a new Kafka 4.x cluster does: producers then
 * use transactions v2 (KIP-890 part 2).
 */
public final class ApiVersionsHandler extends ApiHandler<ApiVersionsRequest> {

  static final String TRANSACTION_VERSION = "transaction.version";
  static final short TRANSACTION_VERSION_MAX = 2;

  /** Features never change at run time here: one epoch. */
  static final long FINALIZED_FEATURES_EPOCH = 1;

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
    if (request.header().apiVersion() >= 3) {
      data.setSupportedFeatures(supportedFeatures())
          .setFinalizedFeaturesEpoch(FINALIZED_FEATURES_EPOCH)
          .setFinalizedFeatures(finalizedFeatures());
    }
    if (req.hasUnsupportedRequestVersion()) {
      data.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
    } else if (!req.isValid()) {
      data.setErrorCode(Errors.INVALID_REQUEST.code());
    } else {
      data.setErrorCode(Errors.NONE.code());
    }
    return CompletableFuture.completedFuture(new ApiVersionsResponse(data));
  }

  private static SupportedFeatureKeyCollection supportedFeatures() {
    SupportedFeatureKeyCollection features = new SupportedFeatureKeyCollection();
    features.add(
        new SupportedFeatureKey()
            .setName(TRANSACTION_VERSION)
            .setMinVersion((short) 0)
            .setMaxVersion(TRANSACTION_VERSION_MAX));
    return features;
  }

  private static FinalizedFeatureKeyCollection finalizedFeatures() {
    FinalizedFeatureKeyCollection features = new FinalizedFeatureKeyCollection();
    features.add(
        new FinalizedFeatureKey()
            .setName(TRANSACTION_VERSION)
            .setMinVersionLevel(TRANSACTION_VERSION_MAX)
            .setMaxVersionLevel(TRANSACTION_VERSION_MAX));
    return features;
  }
}
