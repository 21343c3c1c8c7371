package dev.ferry.security;

import dev.ferry.security.ssl.JdkSslEngineFactory;
import dev.ferry.security.ssl.OpenSslEngineFactory;
import java.security.KeyStore;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import org.apache.kafka.common.security.auth.SslEngineFactory;

/**
 * A custom {@code ssl.engine.factory.class} for tests: Ferry's default engines (BoringSSL's where
 * it loads, else the JDK's), counting the server and client engines made through any instance in
 * this JVM. Only a broker's inter-broker client makes client engines with it (Kafka's clients make
 * their own), so a count above zero shows replication used the configured factory.
 */
public final class CountingSslEngineFactory implements SslEngineFactory {

  private static final AtomicInteger SERVER_ENGINES = new AtomicInteger();
  private static final AtomicInteger CLIENT_ENGINES = new AtomicInteger();

  private final SslEngineFactory delegate =
      OpenSslEngineFactory.unavailabilityCause().isEmpty()
          ? new OpenSslEngineFactory()
          : new JdkSslEngineFactory();

  public static void reset() {
    SERVER_ENGINES.set(0);
    CLIENT_ENGINES.set(0);
  }

  public static int serverEngines() {
    return SERVER_ENGINES.get();
  }

  public static int clientEngines() {
    return CLIENT_ENGINES.get();
  }

  @Override
  public void configure(Map<String, ?> configs) {
    delegate.configure(configs);
  }

  @Override
  public SSLEngine createClientSslEngine(
      String peerHost, int peerPort, String endpointIdentification) {
    CLIENT_ENGINES.incrementAndGet();
    return delegate.createClientSslEngine(peerHost, peerPort, endpointIdentification);
  }

  @Override
  public SSLEngine createServerSslEngine(String peerHost, int peerPort) {
    SERVER_ENGINES.incrementAndGet();
    return delegate.createServerSslEngine(peerHost, peerPort);
  }

  @Override
  public boolean shouldBeRebuilt(Map<String, Object> nextConfigs) {
    return delegate.shouldBeRebuilt(nextConfigs);
  }

  @Override
  public Set<String> reconfigurableConfigs() {
    return delegate.reconfigurableConfigs();
  }

  @Override
  public KeyStore keystore() {
    return delegate.keystore();
  }

  @Override
  public KeyStore truststore() {
    return delegate.truststore();
  }

  @Override
  public void close() throws java.io.IOException {
    delegate.close();
  }
}
