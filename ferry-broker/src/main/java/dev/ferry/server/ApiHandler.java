package dev.ferry.server;

import dev.ferry.network.NetworkRequest;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Handles one Kafka API. A handler declares, once, in its constructor, the API it answers, the
 * request class the codec parses it into and the version range it advertises; the dispatcher checks
 * versions against that range and {@link #handle(NetworkRequest)} hands the typed body to the
 * subclass, so no handler casts.
 *
 * <p>Called on a network thread: a handler must not block (hand blocking work to an executor and
 * complete the future there).
 *
 * @param <Q> the request class of the API
 */
public abstract class ApiHandler<Q extends AbstractRequest> {

  private final ApiKeys apiKey;
  private final Class<Q> requestType;
  private final short minVersion;
  private final short maxVersion;

  /**
   * A handler for every stable version of {@code apiKey} that the codec knows: what a Kafka 4.4
   * broker advertises by default (versions the codec marks unstable, such as InitProducerId v6, are
   * off there unless {@code unstable.api.versions.enable}, so clients never see them).
   */
  protected ApiHandler(ApiKeys apiKey, Class<Q> requestType) {
    this(apiKey, requestType, apiKey.oldestVersion(), apiKey.latestVersion(false));
  }

  /**
   * A handler for versions {@code minVersion}..{@code maxVersion} of {@code apiKey}; unstable
   * versions are refused (a default Kafka 4.4 broker does not advertise them).
   */
  protected ApiHandler(ApiKeys apiKey, Class<Q> requestType, int minVersion, int maxVersion) {
    if (minVersion < 0 || minVersion > maxVersion || maxVersion > apiKey.latestVersion(false)) {
      throw new IllegalArgumentException(
          "Bad version range " + minVersion + ".." + maxVersion + " for " + apiKey);
    }
    this.apiKey = apiKey;
    this.requestType = requestType;
    this.minVersion = (short) minVersion;
    this.maxVersion = (short) maxVersion;
  }

  public final ApiKeys apiKey() {
    return apiKey;
  }

  /** Lowest version advertised in ApiVersions. */
  public final short minVersion() {
    return minVersion;
  }

  /** Highest version advertised in ApiVersions. */
  public final short maxVersion() {
    return maxVersion;
  }

  /** Completes with the response, or with null to send none (acks=0 produce). */
  public final CompletableFuture<AbstractResponse> handle(NetworkRequest request) {
    return handle(request, requestType.cast(request.body()));
  }

  /**
   * The connection {@code connectionId} closed (on its network thread; must not block). For the few
   * handlers that keep state per connection, such as share sessions; most ignore it.
   */
  public void connectionClosed(String connectionId) {}

  /** Answers {@code body}, the parsed body of {@code request}. */
  protected abstract CompletableFuture<AbstractResponse> handle(NetworkRequest request, Q body);
}
