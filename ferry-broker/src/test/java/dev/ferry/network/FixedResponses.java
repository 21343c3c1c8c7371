package dev.ferry.network;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataResponse;

/** Canned answers a test dispatcher gives. */
final class FixedResponses {

  static final String CLUSTER_ID = "ferry-test-cluster";
  static final int NODE_ID = 1;

  private FixedResponses() {}

  /** Advertises ApiVersions 0-4, Metadata 0-13, Produce 3-13, Fetch 4-17. */
  static ApiVersionsResponse apiVersions(ApiVersionsRequest request, int throttleTimeMs) {
    ApiVersionCollection apis = new ApiVersionCollection();
    apis.add(api(ApiKeys.API_VERSIONS, 0, 4));
    apis.add(api(ApiKeys.METADATA, 0, 13));
    apis.add(api(ApiKeys.PRODUCE, 3, 13));
    apis.add(api(ApiKeys.FETCH, 4, 17));
    Errors error =
        request.hasUnsupportedRequestVersion() ? Errors.UNSUPPORTED_VERSION : Errors.NONE;
    return new ApiVersionsResponse(
        new ApiVersionsResponseData()
            .setErrorCode(error.code())
            .setApiKeys(apis)
            .setThrottleTimeMs(throttleTimeMs));
  }

  private static ApiVersion api(ApiKeys key, int min, int max) {
    return new ApiVersion().setApiKey(key.id).setMinVersion((short) min).setMaxVersion((short) max);
  }

  /** One broker, {@link #NODE_ID} at 127.0.0.1:{@code port}, also the controller; no topics. */
  static MetadataResponse metadata(int port, short version) {
    MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
    brokers.add(new MetadataResponseBroker().setNodeId(NODE_ID).setHost("127.0.0.1").setPort(port));
    return new MetadataResponse(
        new MetadataResponseData()
            .setBrokers(brokers)
            .setClusterId(CLUSTER_ID)
            .setControllerId(NODE_ID),
        version);
  }
}
