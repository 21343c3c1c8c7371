package dev.ferry.metrics;

import dev.ferry.runtime.BrokerThreads;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP endpoint Prometheus scrapes: {@code GET /metrics} in the text exposition format (and
 * {@code /-/healthy}). One daemon thread serves it: scrapes are rare and cheap.
 */
public final class MetricsServer implements Closeable {

  private final ExecutorService executor;
  private final HTTPServer server;

  private MetricsServer(ExecutorService executor, HTTPServer server) {
    this.executor = executor;
    this.server = server;
  }

  /**
   * Binds {@code host:port} and starts serving {@code registry}.
   *
   * @throws UncheckedIOException if the address cannot be bound
   */
  public static MetricsServer start(PrometheusRegistry registry, String host, int port) {
    ExecutorService executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(64),
            BrokerThreads.factory("ferry-metrics-http"),
            new ThreadPoolExecutor.DiscardPolicy());
    try {
      HTTPServer.Builder builder =
          HTTPServer.builder().port(port).registry(registry).executorService(executor);
      if (host != null && !host.isBlank()) {
        builder.hostname(host); // else all interfaces, like an empty listener host
      }
      HTTPServer server = builder.buildAndStart();
      return new MetricsServer(executor, server);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException(
          "Cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
    executor.shutdownNow();
  }
}
