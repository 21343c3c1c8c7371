package dev.ferry.security.ssl;

import java.security.KeyStore;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.kafka.common.security.auth.SslEngineFactory;

/**
 * What Ferry's engine factories share: they read Kafka's {@code ssl.*} settings into {@link
 * TlsSettings} (the JDK loads the stores), rebuild when a store setting changes, and verify the
 * server's host name on client engines as {@code ssl.endpoint.identification.algorithm} says. A
 * subclass builds its engines from the settings.
 */
abstract class AbstractSslEngineFactory implements SslEngineFactory {

  private Map<String, ?> configs;
  private TlsSettings settings;

  @Override
  public void configure(Map<String, ?> configs) {
    this.configs = new HashMap<>(configs);
    settings = TlsSettings.from(configs);
    build(settings);
  }

  /** Sets up the engines' context from freshly read settings. */
  protected abstract void build(TlsSettings settings);

  /** The settings read by {@link #configure}. */
  TlsSettings settings() {
    return settings;
  }

  /** {@code engine} checking the server's name by {@code algorithm} (null or empty: no check). */
  static SSLEngine withEndpointIdentification(SSLEngine engine, String algorithm) {
    if (algorithm != null && !algorithm.isEmpty()) {
      SSLParameters params = engine.getSSLParameters();
      params.setEndpointIdentificationAlgorithm(algorithm.toUpperCase(Locale.ROOT));
      engine.setSSLParameters(params);
    }
    return engine;
  }

  @Override
  public boolean shouldBeRebuilt(Map<String, Object> nextConfigs) {
    return TlsSettings.reconfigured(configs, nextConfigs);
  }

  @Override
  public Set<String> reconfigurableConfigs() {
    return TlsSettings.RECONFIGURABLE;
  }

  @Override
  public KeyStore keystore() {
    return settings.keystore;
  }

  @Override
  public KeyStore truststore() {
    return settings.truststore;
  }

  /** Nothing to free: the JDK's contexts are plain objects, and Netty frees its own at GC. */
  @Override
  public void close() {}
}
