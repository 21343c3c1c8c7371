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
   */
  CompletableFuture<AbstractResponse> dispatch(NetworkRequest request);
}
