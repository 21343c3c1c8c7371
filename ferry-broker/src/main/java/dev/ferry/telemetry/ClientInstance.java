package dev.ferry.telemetry;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/**
 * One client instance's telemetry state on this broker: the subscription set it was given (fixed
 * until the subscriptions change, then the instance is rebuilt with fresh timestamps), when it last
 * asked and pushed, whether it said it is terminating, and the last error it was answered with.
 * Guarded by its own monitor.
 */
final class ClientInstance {

  private final ClientAttributes attributes;
  private final int subscriptionId;
  private final int subscriptionsVersion;
  private final List<String> metrics;
  private final int pushIntervalMs;

  private long lastGetMs = -1;
  private long lastPushMs = -1;
  private boolean terminating;
  private Errors lastError = Errors.NONE;
  private long lastSeenMs;

  ClientInstance(
      ClientAttributes attributes,
      int subscriptionId,
      int subscriptionsVersion,
      List<String> metrics,
      int pushIntervalMs,
      long nowMs) {
    this.attributes = attributes;
    this.subscriptionId = subscriptionId;
    this.subscriptionsVersion = subscriptionsVersion;
    this.metrics = List.copyOf(metrics);
    this.pushIntervalMs = pushIntervalMs;
    this.lastSeenMs = nowMs;
  }

  ClientAttributes attributes() {
    return attributes;
  }

  int subscriptionId() {
    return subscriptionId;
  }

  int subscriptionsVersion() {
    return subscriptionsVersion;
  }

  List<String> metrics() {
    return metrics;
  }

  int pushIntervalMs() {
    return pushIntervalMs;
  }

  synchronized void touch(long nowMs) {
    lastSeenMs = nowMs;
  }

  synchronized long lastSeenMs() {
    return lastSeenMs;
  }

  /**
   * A GetTelemetrySubscriptions is on time if a push interval has passed since the last request of
   * either kind, or if the previous answer was an error the client recovers from by asking again.
   */
  synchronized boolean acceptGet(long nowMs) {
    long last = Math.max(lastGetMs, lastPushMs);
    if (last < 0 || nowMs - last >= pushIntervalMs) {
      lastGetMs = nowMs;
      return true;
    }
    return lastError == Errors.UNKNOWN_SUBSCRIPTION_ID
        || lastError == Errors.UNSUPPORTED_COMPRESSION_TYPE;
  }

  /**
   * A push is on time right after a GetTelemetrySubscriptions (the client jitters its first push
   * between half and one and a half intervals) or a push interval after the previous push.
   */
  synchronized boolean acceptPush(long nowMs) {
    boolean ok = lastGetMs > lastPushMs || lastPushMs < 0 || nowMs - lastPushMs >= pushIntervalMs;
    if (ok) {
      lastPushMs = nowMs;
    }
    return ok;
  }

  synchronized boolean terminating() {
    return terminating;
  }

  synchronized void terminating(boolean value) {
    terminating = value;
  }

  synchronized Errors lastError() {
    return lastError;
  }

  synchronized void lastError(Errors error) {
    lastError = error;
  }
}
