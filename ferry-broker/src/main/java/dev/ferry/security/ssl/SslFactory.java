package dev.ferry.security.ssl;

import dev.ferry.security.ListenerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * The TLS context of one listener (or of the inter-broker client), built once from Kafka's {@code
 * ssl.*} settings: key store and trust store (PKCS12 or JKS), {@code ssl.protocol}, {@code
 * ssl.enabled.protocols}, {@code ssl.cipher.suites}, {@code ssl.client.auth} and, for clients,
 * {@code ssl.endpoint.identification.algorithm}.
 */
public final class SslFactory {

  /** {@code ssl.client.auth}. */
  public enum ClientAuth {
    NONE,
    REQUESTED,
    REQUIRED
  }

  private final SSLContext context;
  private final String[] protocols;
  private final String[] cipherSuites;
  private final ClientAuth clientAuth;
  private final String endpointIdentification;

  private SslFactory(
      SSLContext context,
      String[] protocols,
      String[] cipherSuites,
      ClientAuth clientAuth,
      String endpointIdentification) {
    this.context = context;
    this.protocols = protocols;
    this.cipherSuites = cipherSuites;
    this.clientAuth = clientAuth;
    this.endpointIdentification = endpointIdentification;
  }

  /**
   * Reads the listener's settings and loads its stores.
   *
   * @throws ConfigException naming the setting that is missing or wrong
   */
  public static SslFactory create(ListenerSettings settings, boolean server) {
    try {
      KeyManagerFactory keyManagers = null;
      Optional<String> keystore = settings.get("ssl.keystore.location");
      if (keystore.isPresent()) {
        char[] storePassword = password(settings, "ssl.keystore.password");
        KeyStore ks = load(keystore.get(), settings.get("ssl.keystore.type", "JKS"), storePassword);
        char[] keyPassword =
            settings.get("ssl.key.password").map(String::toCharArray).orElse(storePassword);
        keyManagers =
            KeyManagerFactory.getInstance(
                settings.get("ssl.keymanager.algorithm", KeyManagerFactory.getDefaultAlgorithm()));
        keyManagers.init(ks, keyPassword);
      } else if (server) {
        throw new ConfigException(
            "listener "
                + settings.listenerName()
                + ": ssl.keystore.location is required for an SSL or SASL_SSL listener");
      }
      TrustManagerFactory trustManagers =
          TrustManagerFactory.getInstance(
              settings.get(
                  "ssl.trustmanager.algorithm", TrustManagerFactory.getDefaultAlgorithm()));
      Optional<String> truststore = settings.get("ssl.truststore.location");
      if (truststore.isPresent()) {
        char[] password =
            settings.get("ssl.truststore.password").map(String::toCharArray).orElse(null);
        trustManagers.init(
            load(truststore.get(), settings.get("ssl.truststore.type", "JKS"), password));
      } else {
        trustManagers.init((KeyStore) null);
      }
      SSLContext context = SSLContext.getInstance(settings.get("ssl.protocol", "TLSv1.3"));
      context.init(
          keyManagers == null ? null : keyManagers.getKeyManagers(),
          trustManagers.getTrustManagers(),
          null);
      List<String> protocols = settings.list("ssl.enabled.protocols", "TLSv1.2,TLSv1.3");
      List<String> ciphers = settings.list("ssl.cipher.suites", "");
      String auth = settings.get("ssl.client.auth", "none").toUpperCase(Locale.ROOT);
      ClientAuth clientAuth;
      try {
        clientAuth = ClientAuth.valueOf(auth);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("ssl.client.auth", auth, "must be none, requested or required");
      }
      return new SslFactory(
          context,
          protocols.toArray(String[]::new),
          ciphers.isEmpty() ? null : ciphers.toArray(String[]::new),
          clientAuth,
          settings.get("ssl.endpoint.identification.algorithm", "https"));
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException(
          "listener " + settings.listenerName() + ": cannot set up TLS: " + e.getMessage());
    }
  }

  private static char[] password(ListenerSettings settings, String key) {
    return settings.get(key).map(String::toCharArray).orElse(null);
  }

  private static KeyStore load(String location, String type, char[] password)
      throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance(type);
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      store.load(in, password);
    }
    return store;
  }

  /** A server-side engine for one accepted connection. */
  public SSLEngine createServerEngine(String peerHost, int peerPort) {
    SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
    engine.setUseClientMode(false);
    configure(engine);
    switch (clientAuth) {
      case REQUIRED -> engine.setNeedClientAuth(true);
      case REQUESTED -> engine.setWantClientAuth(true);
      case NONE -> engine.setWantClientAuth(false);
    }
    return engine;
  }

  private void configure(SSLEngine engine) {
    engine.setEnabledProtocols(protocols);
    if (cipherSuites != null) {
      engine.setEnabledCipherSuites(cipherSuites);
    }
  }

  /** A connected client socket, handshake done, for the inter-broker client. */
  public SSLSocket wrapClient(java.net.Socket plain, String host, int port) throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    socket.setEnabledProtocols(protocols);
    if (cipherSuites != null) {
      socket.setEnabledCipherSuites(cipherSuites);
    }
    if (!endpointIdentification.isEmpty()) {
      SSLParameters params = socket.getSSLParameters();
      params.setEndpointIdentificationAlgorithm(endpointIdentification.toUpperCase(Locale.ROOT));
      socket.setSSLParameters(params);
    }
    socket.startHandshake();
    return socket;
  }
}
