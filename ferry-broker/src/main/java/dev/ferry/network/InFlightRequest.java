package dev.ferry.network;

import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * A request between being read and its response being fully written. It holds its place in the
 * connection's response order, so responses go out in request order whatever order the handlers
 * finish in.
 */
final class InFlightRequest {

  final Connection connection;
  final NetworkRequest request;

  // Written by whichever thread completes the handler's future, read by the processor thread; the
  // processor's completion queue publishes them (its offer happens-before its poll).
  AbstractResponse response;
  Throwable failure;

  // Processor thread only.
  private boolean ready;
  private Send send;

  InFlightRequest(Connection connection, NetworkRequest request) {
    this.connection = connection;
    this.request = request;
  }

  /** The response is serialized ({@code null}: nothing to send); it may go out once it is first. */
  void ready(Send send) {
    this.send = send;
    this.ready = true;
  }

  boolean isReady() {
    return ready;
  }

  Send send() {
    return send;
  }
}
