package dev.ferry.network;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.protocol.ApiKeys;

/** Test metrics backend: plain counters. */
final class CountingMetrics implements NetworkMetrics {

  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger closed = new AtomicInteger();
  final AtomicInteger rejected = new AtomicInteger();
  final AtomicInteger invalid = new AtomicInteger();
  final AtomicLong bytesIn = new AtomicLong();
  final AtomicLong bytesOut = new AtomicLong();
  final Map<ApiKeys, AtomicInteger> completed = new ConcurrentHashMap<>();
  final AtomicLong maxLatencyNanos = new AtomicLong();

  @Override
  public void connectionOpened() {
    opened.incrementAndGet();
  }

  @Override
  public void connectionClosed() {
    closed.incrementAndGet();
  }

  @Override
  public void connectionRejected() {
    rejected.incrementAndGet();
  }

  @Override
  public void invalidRequest() {
    invalid.incrementAndGet();
  }

  @Override
  public void bytesReceived(long bytes) {
    bytesIn.addAndGet(bytes);
  }

  @Override
  public void bytesSent(long bytes) {
    bytesOut.addAndGet(bytes);
  }

  @Override
  public void requestCompleted(ApiKeys apiKey, long latencyNanos) {
    completed.computeIfAbsent(apiKey, k -> new AtomicInteger()).incrementAndGet();
    maxLatencyNanos.accumulateAndGet(latencyNanos, Math::max);
  }

  int completed(ApiKeys apiKey) {
    AtomicInteger count = completed.get(apiKey);
    return count == null ? 0 : count.get();
  }
}
