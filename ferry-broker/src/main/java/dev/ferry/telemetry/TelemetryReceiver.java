package dev.ferry.telemetry;

/**
 * Where accepted pushes go: the seam Kafka calls a {@code ClientTelemetryReceiver}. Called on a
 * network thread for every push that passed validation and carries metrics; it must not block. A
 * receiver that throws makes the push fail with INVALID_RECORD, as Kafka answers a failing plugin.
 */
public interface TelemetryReceiver {

  /** A push: who sent it and when, with which subscription, and its payload as sent. */
  record Push(
      ClientAttributes client,
      long receivedMs,
      int subscriptionId,
      int pushIntervalMs,
      boolean terminating,
      byte compressionType,
      byte[] payload) {}

  void receive(Push push);

  /** A client instance expired (no request for three push intervals, at least a minute). */
  default void expired(ClientAttributes client) {}
}
