package dev.ferry.quota;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * Client quota enforcement between authorization and the handlers, as Kafka enforces quotas: each
 * request's use is recorded for its client (principal name and client id) and, if that puts the
 * client over a quota, the response carries {@code throttle_time_ms} and the network layer mutes
 * the connection for that long (KIP-219: the answer is sent at once, the client backs off, and the
 * broker reads nothing more from it until the time is up). A throttled consumer fetch is answered
 * without records, and its bytes are not counted, as Kafka does.
 *
 * <p>Inter-broker traffic (follower fetches, marker writes) and the connection set-up APIs are
 * exempt, as in Kafka. With no quota configured, requests pass through untouched.
 */
public final class QuotaDispatcher implements RequestDispatcher {

  /** Never throttled for request time (Kafka's exempt APIs that Ferry serves). */
  private static final Set<ApiKeys> EXEMPT =
      Set.of(
          ApiKeys.API_VERSIONS,
          ApiKeys.SASL_HANDSHAKE,
          ApiKeys.SASL_AUTHENTICATE,
          ApiKeys.WRITE_TXN_MARKERS,
          ApiKeys.CONTROLLED_SHUTDOWN);

  /** Percent of one thread's second per nanosecond of handler time. */
  private static final double PERCENT_PER_NANO = 100.0 / 1_000_000_000.0;

  private final RequestDispatcher delegate;
  private final ClientQuotas quotas;

  public QuotaDispatcher(RequestDispatcher delegate, ClientQuotas quotas) {
    this.delegate = delegate;
    this.quotas = quotas;
  }

  @Override
  public void connectionClosed(String connectionId) {
    delegate.connectionClosed(connectionId);
  }

  @Override
  public CompletableFuture<AbstractResponse> dispatch(NetworkRequest request) {
    if (quotas.configs().isEmpty() || exempt(request)) {
      return delegate.dispatch(request);
    }
    String user = request.principal().getName();
    String clientId = request.header().clientId() == null ? "" : request.header().clientId();
    long start = System.nanoTime();
    CompletableFuture<AbstractResponse> future = delegate.dispatch(request);
    // The handler's own time on this thread: what request_percentage limits.
    int requestThrottle =
        quotas
            .request()
            .recordAndGetThrottleTimeMs(
                user, clientId, (System.nanoTime() - start) * PERCENT_PER_NANO);
    ApiKeys api = request.header().apiKey();
    if (api == ApiKeys.PRODUCE) {
      int bandwidth =
          quotas.produce().recordAndGetThrottleTimeMs(user, clientId, request.sizeInBytes());
      return throttled(future, Math.max(bandwidth, requestThrottle));
    }
    if (api == ApiKeys.FETCH) {
      return future.thenApply(response -> throttleFetch(response, user, clientId, requestThrottle));
    }
    return throttled(future, requestThrottle);
  }

  private static CompletableFuture<AbstractResponse> throttled(
      CompletableFuture<AbstractResponse> future, int throttleMs) {
    if (throttleMs <= 0) {
      return future;
    }
    return future.thenApply(
        response -> {
          if (response != null) {
            response.maybeSetThrottleTimeMs(throttleMs);
          }
          return response;
        });
  }

  private AbstractResponse throttleFetch(
      AbstractResponse response, String user, String clientId, int requestThrottle) {
    if (!(response instanceof FetchResponse fetch)) {
      return response;
    }
    long bytes = recordBytes(fetch.data());
    int bandwidth = quotas.fetch().recordAndGetThrottleTimeMs(user, clientId, bytes);
    int throttle = Math.max(bandwidth, requestThrottle);
    if (throttle <= 0) {
      return response;
    }
    // Answered without records: the client fetches the same data again once the throttle time is
    // over, and those bytes are not counted. Kafka answers with no partitions at all and leaves
    // its fetch session as it was; here the handler has already recorded the partitions' high
    // watermarks and log starts in the session as sent, so the answer keeps them: an incremental
    // session then never holds back a change the client did not see.
    quotas.fetch().unrecord(user, clientId, bytes);
    withoutRecords(fetch.data()).setThrottleTimeMs(throttle);
    return fetch;
  }

  private static FetchResponseData withoutRecords(FetchResponseData data) {
    for (FetchResponseData.FetchableTopicResponse t : data.responses()) {
      for (FetchResponseData.PartitionData p : t.partitions()) {
        if (p.records() != null && p.records().sizeInBytes() > 0) {
          p.setRecords(MemoryRecords.EMPTY).setAbortedTransactions(null);
        }
      }
    }
    return data;
  }

  private static long recordBytes(FetchResponseData data) {
    long total = 0;
    for (FetchResponseData.FetchableTopicResponse t : data.responses()) {
      for (FetchResponseData.PartitionData p : t.partitions()) {
        if (p.records() != null) {
          total += p.records().sizeInBytes();
        }
      }
    }
    return total;
  }

  private static boolean exempt(NetworkRequest request) {
    ApiKeys api = request.header().apiKey();
    if (EXEMPT.contains(api)) {
      return true;
    }
    return api == ApiKeys.FETCH && ((FetchRequest) request.body()).replicaId() >= 0;
  }
}
