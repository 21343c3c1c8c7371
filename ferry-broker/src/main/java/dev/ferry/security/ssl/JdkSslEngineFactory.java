package dev.ferry.security.ssl;

import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.kafka.common.config.ConfigException;

/**
 * TLS engines of the JDK ({@code SunJSSE}), configured from Kafka's {@code ssl.*} settings as
 * Kafka's default engine factory does. Ferry uses it where the OpenSSL engine cannot load, and when
 * {@code ssl.engine.factory.class} names it or Kafka's {@code DefaultSslEngineFactory}.
 */
public final class JdkSslEngineFactory extends AbstractSslEngineFactory {

  private SSLContext context;

  @Override
  protected void build(TlsSettings settings) {
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

  /** The context the engines come from. */
  public SSLContext sslContext() {
    return context;
  }

  @Override
  public SSLEngine createServerSslEngine(String peerHost, int peerPort) {
    SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
    engine.setUseClientMode(false);
    applyProtocolsAndSuites(engine);
    switch (settings().clientAuth) {
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
    return withEndpointIdentification(engine, endpointIdentification);
  }

  /** {@code ssl.enabled.protocols} and {@code ssl.cipher.suites}; empty ones keep the JDK's. */
  private void applyProtocolsAndSuites(SSLEngine engine) {
    TlsSettings settings = settings();
    if (!settings.enabledProtocols.isEmpty()) {
      engine.setEnabledProtocols(settings.enabledProtocols.toArray(String[]::new));
    }
    if (!settings.cipherSuites.isEmpty()) {
      engine.setEnabledCipherSuites(settings.cipherSuites.toArray(String[]::new));
    }
  }
}
