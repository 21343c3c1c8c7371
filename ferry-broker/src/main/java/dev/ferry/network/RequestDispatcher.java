package dev.ferry.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractResponse;

/** The protocol layer as seen from the network: one call per request, answered asynchronously. */
@FunctionalInterface
public interface RequestDispatcher {

  /**
   * Handles one request. Called on a network thread, so it must not block; work that blocks
   * (ZooKeeper, fsync-heavy admin operations) goes to another thread. The future may complete on
   * any thread; completing it with {@code null} sends no response (acks=0 produce). Responses on a
   * connection are written in request order.
   *
   * <p>Requests of one connection are dispatched one at a time, in the order they arrived, always
   * on the same network thread; up to {@link ConnectionLimits#maxInFlightRequests()} of them may be
   * unanswered at once (a producer pipelines its batches). If this method throws or the future
   * fails, the client gets {@code request.body().getErrorResponse(0, exception)} (mapped with
   * {@code Errors.forException}), so throw Kafka's {@code ApiException}s for precise error codes.
   */
  CompletableFuture<AbstractResponse> dispatch(NetworkRequest request);

  /**
   * The connection {@code connectionId} (as in {@link NetworkRequest#connectionId()}) closed, for
   * whatever reason; called once, on its network thread, so it must not block. State kept per
   * connection (share sessions) ends here. Decorating dispatchers pass it on.
   */
  default void connectionClosed(String connectionId) {}
}
