package dev.ferry.server;

import dev.ferry.network.CloseConnectionException;
import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request to the handler of its API after checking the version against what that
 * handler advertises. The advertised table (ApiVersions) is derived from the registered handlers,
 * so it can never claim an API that has no handler.
 */
public final class KafkaApis implements RequestDispatcher {

  private static final Logger log = LoggerFactory.getLogger(KafkaApis.class);

  private final ApiHandler<?>[] handlers = new ApiHandler<?>[maxApiId() + 1];

  public KafkaApis register(ApiHandler<?> handler) {
    // The handler checked its version range when it was built.
    ApiKeys key = handler.apiKey();
    if (handlers[key.id] != null) {
      throw new IllegalStateException("Two handlers for " + key);
    }
    handlers[key.id] = handler;
    return this;
  }

  /** The version ranges this broker advertises in ApiVersions. */
  public ApiVersionCollection supportedApis() {
    ApiVersionCollection apis = new ApiVersionCollection();
    for (ApiHandler<?> h : handlers) {
      if (h != null) {
        apis.add(
            new ApiVersion()
                .setApiKey(h.apiKey().id)
                .setMinVersion(h.minVersion())
                .setMaxVersion(h.maxVersion()));
      }
    }
    return apis;
  }

  @Override
  public CompletableFuture<AbstractResponse> dispatch(NetworkRequest request) {
    ApiKeys key = request.header().apiKey();
    short version = request.header().apiVersion();
    ApiHandler<?> handler = handlers[key.id];
    boolean apiVersionsFallback = key == ApiKeys.API_VERSIONS && handler != null;
    if (handler == null
        || (!apiVersionsFallback
            && (version < handler.minVersion() || version > handler.maxVersion()))) {
      // As Kafka does: a request for an API or version the broker does not advertise closes the
      // connection (only ApiVersions answers any version, KIP-511). A client that read our
      // ApiVersions never sends one; an answer in a format it may not read helps nobody.
      return CompletableFuture.failedFuture(
          new CloseConnectionException(
              "Ferry does not serve " + key + " version " + version + " on this listener"));
    }
    try {
      return handler
          .handle(request)
          .exceptionally(
              e -> {
                if (unwrap(e) instanceof CloseConnectionException close) {
                  // Not a failure to answer with an error: the handler's answer is the close.
                  throw close;
                }
                logFailure(request, e);
                return request.body().getErrorResponse(0, unwrap(e));
              });
    } catch (RuntimeException e) {
      logFailure(request, e);
      return CompletableFuture.completedFuture(request.body().getErrorResponse(0, e));
    }
  }

  @Override
  public void connectionClosed(String connectionId) {
    for (ApiHandler<?> h : handlers) {
      if (h != null) {
        h.connectionClosed(connectionId);
      }
    }
  }

  private static void logFailure(NetworkRequest request, Throwable e) {
    Throwable cause = unwrap(e);
    if (cause instanceof ApiException) {
      log.debug("{} from {} failed: {}", request.header().apiKey(), request.connectionId(), cause);
    } else {
      log.error(
          "{} v{} from {} (client {}) failed",
          request.header().apiKey(),
          request.header().apiVersion(),
          request.connectionId(),
          request.header().clientId(),
          cause);
    }
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static int maxApiId() {
    int max = 0;
    for (ApiKeys k : ApiKeys.values()) {
      max = Math.max(max, k.id);
    }
    return max;
  }
}
