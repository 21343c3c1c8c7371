package dev.ferry.security.ssl;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SslEngineFactory;

/**
 * TLS engines of the JDK ({@code SunJSSE}), configured from Kafka's {@code ssl.*} settings as
 * Kafka's default engine factory does. Ferry uses it where the OpenSSL engine cannot load, when
 * {@code ssl.engine.factory.class} names it or Kafka's {@code DefaultSslEngineFactory}, and always
 * for the inter-broker client (a blocking socket, which only the JDK's engine offers).
 */
public final class JdkSslEngineFactory implements SslEngineFactory {

  private TlsSettings settings;
  private Map<String, ?> configs;
  private SSLContext context;

  @Override
  public void configure(Map<String, ?> configs) {
    this.configs = new HashMap<>(configs);
    settings = TlsSettings.from(configs);
    try {
      context = SSLContext.getInstance(settings.protocol);
      context.init(
          settings.keyManagers == null ? null : settings.keyManagers.getKeyManagers(),
          settings.trustManagers.getTrustManagers(),
          null);
    } catch (GeneralSecurityException e) {
      throw new ConfigException("cannot set up TLS: " + e.getMessage());
    }
  }

  /** The context the engines come from (the inter-broker client's sockets too). */
  public SSLContext sslContext() {
    return context;
  }

  @Override
  public SSLEngine createServerSslEngine(String peerHost, int peerPort) {
    SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
    engine.setUseClientMode(false);
    applyProtocolsAndSuites(engine);
    switch (settings.clientAuth) {
      case REQUIRED -> engine.setNeedClientAuth(true);
      case REQUESTED -> engine.setWantClientAuth(true);
      case NONE -> engine.setWantClientAuth(false);
    }
    return engine;
  }

  @Override
  public SSLEngine createClientSslEngine(
      String peerHost, int peerPort, String endpointIdentification) {
    SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
    engine.setUseClientMode(true);
    applyProtocolsAndSuites(engine);
    if (endpointIdentification != null && !endpointIdentification.isEmpty()) {
      SSLParameters params = engine.getSSLParameters();
      params.setEndpointIdentificationAlgorithm(endpointIdentification.toUpperCase(Locale.ROOT));
      engine.setSSLParameters(params);
    }
    return engine;
  }

  /** {@code ssl.enabled.protocols} and {@code ssl.cipher.suites}; empty ones keep the JDK's. */
  private void applyProtocolsAndSuites(SSLEngine engine) {
    if (!settings.enabledProtocols.isEmpty()) {
      engine.setEnabledProtocols(settings.enabledProtocols.toArray(String[]::new));
    }
    if (!settings.cipherSuites.isEmpty()) {
      engine.setEnabledCipherSuites(settings.cipherSuites.toArray(String[]::new));
    }
  }

  /** The settings, for the sockets of the inter-broker client. */
  TlsSettings settings() {
    return settings;
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

  @Override
  public void close() {}
}
