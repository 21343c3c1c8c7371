package dev.ferry.server;

import dev.ferry.network.NetworkRequest;
import dev.ferry.telemetry.ClientSoftware;
import java.util.List;
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
 * <p>From v3 the answer also lists feature levels (KIP-584), those of Kafka 4.4's production
 * features whose protocols Ferry serves, at the levels a new Kafka 4.4 cluster finalizes: {@code
 * metadata.version} 4.4-IV2 (the 4.4 protocol; Ferry has no KRaft metadata log, but tools such as
 * {@code kafka-features.sh} show the release through it), {@code transaction.version} 2 (KIP-890
 * part 2, so producers use transactions v2), {@code group.version} 1 (the KIP-848 consumer group
 * protocol) and {@code share.version} 2 (KIP-932 share groups). Features of protocols Ferry lacks
 * (streams groups, eligible leader replicas, the KRaft quorum) are not advertised, so clients do
 * not try them.
 */
public final class ApiVersionsHandler extends ApiHandler<ApiVersionsRequest> {

  static final String TRANSACTION_VERSION = "transaction.version";
  static final short TRANSACTION_VERSION_MAX = 2;

  /** A feature: its supported range and the level finalized in a Ferry cluster. */
  private record Feature(String name, short min, short max, short finalized) {}

  private static final List<Feature> FEATURES =
      List.of(
          // Kafka 4.4: MetadataVersion.MINIMUM_VERSION (3.3-IV3) .. LATEST_PRODUCTION (4.4-IV2).
          new Feature("metadata.version", (short) 7, (short) 33, (short) 33),
          new Feature(
              TRANSACTION_VERSION, (short) 0, TRANSACTION_VERSION_MAX, TRANSACTION_VERSION_MAX),
          new Feature("group.version", (short) 0, (short) 1, (short) 1),
          // Kafka 4.4: ShareVersion SV_0 .. SV_2, SV_2 finalized in a new cluster (KIP-932).
          new Feature("share.version", (short) 0, (short) 2, (short) 2));

  /** Features never change at run time here: one epoch. */
  static final long FINALIZED_FEATURES_EPOCH = 1;

  private final Supplier<ApiVersionCollection> supportedApis;
  private final ClientSoftware clientSoftware;

  public ApiVersionsHandler(Supplier<ApiVersionCollection> supportedApis) {
    this(supportedApis, null);
  }

  /**
   * As above, recording each connection's declared software name and version (v3+, KIP-511) in
   * {@code clientSoftware}, where client-metrics subscriptions match on them (KIP-714).
   */
  public ApiVersionsHandler(
      Supplier<ApiVersionCollection> supportedApis, ClientSoftware clientSoftware) {
    // Every version the codec parses: newer ones arrive as v0 requests with an unsupported flag.
    super(
        ApiKeys.API_VERSIONS,
        ApiVersionsRequest.class,
        0,
        ApiKeys.API_VERSIONS.latestVersion(false));
    this.supportedApis = supportedApis;
    this.clientSoftware = clientSoftware;
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
      if (clientSoftware != null && request.header().apiVersion() >= 3) {
        clientSoftware.record(
            request.connectionId(),
            req.data().clientSoftwareName(),
            req.data().clientSoftwareVersion());
      }
    }
    return CompletableFuture.completedFuture(new ApiVersionsResponse(data));
  }

  private static SupportedFeatureKeyCollection supportedFeatures() {
    SupportedFeatureKeyCollection features = new SupportedFeatureKeyCollection();
    for (Feature f : FEATURES) {
      features.add(
          new SupportedFeatureKey()
              .setName(f.name())
              .setMinVersion(f.min())
              .setMaxVersion(f.max()));
    }
    return features;
  }

  private static FinalizedFeatureKeyCollection finalizedFeatures() {
    FinalizedFeatureKeyCollection features = new FinalizedFeatureKeyCollection();
    for (Feature f : FEATURES) {
      features.add(
          new FinalizedFeatureKey()
              .setName(f.name())
              .setMinVersionLevel(f.finalized())
              .setMaxVersionLevel(f.finalized()));
    }
    return features;
  }
}
