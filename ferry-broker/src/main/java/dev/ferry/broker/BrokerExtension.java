package dev.ferry.broker;

import dev.ferry.server.produce.ProduceValidation;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * A service that runs inside the broker process beside the Kafka protocol (the schema registry, a
 * web console...). Implementations are found with {@link java.util.ServiceLoader} on the class
 * path, so the broker module does not depend on them; each one reads its own settings from the
 * broker's properties and stays off unless they turn it on.
 */
public interface BrokerExtension {

  /**
   * Called once the broker listens and is registered. Must not block for long: work that waits on
   * the cluster (reading a topic, electing a writer) belongs on the extension's own threads.
   *
   * @return the running extension, closed when the broker stops (before its listeners); null when
   *     the broker's settings leave this extension off
   */
  Running start(Context context);

  /**
   * Whether this extension, with these settings, reads the broker's metrics (then the broker keeps
   * its metrics registry even without {@code metrics.port}, and passes it in {@link Context}).
   */
  default boolean wantsMetrics(BrokerConfig config) {
    return false;
  }

  /** A started extension. */
  interface Running extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * What an extension may use of its broker.
   *
   * @param config the broker's settings (extensions read their own keys from {@code originals()})
   * @param bootstrapServers {@code host:port} of the broker's first listener, for Kafka clients in
   *     the extension (loopback when the listener binds every address)
   * @param produceValidation where an extension installs a check of produced records
   * @param passwords checks user names and passwords as the broker's SASL listener does; null when
   *     the broker has no SASL listener (then HTTP services need no credentials either)
   * @param listenerAddresses {@code host:port} of every listener by name (loopback when it binds
   *     every address), for an extension that must use a particular one (e.g. a SASL listener)
   * @param metrics the broker's metrics registry (values, read in process); null when metrics are
   *     off ({@code metrics.port} unset and no extension {@link #wantsMetrics wants} them)
   */
  record Context(
      BrokerConfig config,
      String bootstrapServers,
      ProduceValidation produceValidation,
      Passwords passwords,
      java.util.Map<String, String> listenerAddresses,
      PrometheusRegistry metrics) {}

  /** Verifies a user's password; the principal name when valid. */
  @FunctionalInterface
  interface Passwords {
    java.util.Optional<String> verify(String user, String password);
  }
}
