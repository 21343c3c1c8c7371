package dev.ferry.security.ssl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Kafka's {@code ssl.*} settings as an {@link
 * org.apache.kafka.common.security.auth.SslEngineFactory} receives them in {@code configure}
 * (passwords as {@link Password}, lists as {@code List<String>}; plain strings are taken too), with
 * the key and trust stores loaded by the JDK. Both of Ferry's engine factories build their engines
 * from this, so the stores, protocols, cipher suites and client authentication mean the same
 * whichever engine encrypts.
 */
final class TlsSettings {

  /** {@code ssl.client.auth}. */
  enum ClientAuth {
    NONE,
    REQUESTED,
    REQUIRED
  }

  /** The settings an engine factory can take again without a restart, as Kafka's. */
  static final Set<String> RECONFIGURABLE =
      Set.of(
          "ssl.keystore.type",
          "ssl.keystore.location",
          "ssl.keystore.password",
          "ssl.key.password",
          "ssl.keystore.key",
          "ssl.keystore.certificate.chain",
          "ssl.truststore.type",
          "ssl.truststore.location",
          "ssl.truststore.password",
          "ssl.truststore.certificates");

  final KeyStore keystore;
  final KeyStore truststore;

  /** Null without a key store (a client that presents no certificate). */
  final KeyManagerFactory keyManagers;

  final TrustManagerFactory trustManagers;
  final String protocol;
  final List<String> enabledProtocols;

  /** Empty for the engine's default suites. */
  final List<String> cipherSuites;

  final ClientAuth clientAuth;
  final String endpointIdentification;

  private TlsSettings(
      KeyStore keystore,
      KeyStore truststore,
      KeyManagerFactory keyManagers,
      TrustManagerFactory trustManagers,
      String protocol,
      List<String> enabledProtocols,
      List<String> cipherSuites,
      ClientAuth clientAuth,
      String endpointIdentification) {
    this.keystore = keystore;
    this.truststore = truststore;
    this.keyManagers = keyManagers;
    this.trustManagers = trustManagers;
    this.protocol = protocol;
    this.enabledProtocols = enabledProtocols;
    this.cipherSuites = cipherSuites;
    this.clientAuth = clientAuth;
    this.endpointIdentification = endpointIdentification;
  }

  /**
   * Reads the settings and loads the stores.
   *
   * @throws ConfigException naming the setting that is wrong
   */
  static TlsSettings from(Map<String, ?> configs) {
    try {
      KeyStore keystore = null;
      KeyManagerFactory keyManagers = null;
      String keystoreLocation = string(configs, "ssl.keystore.location", "");
      if (!keystoreLocation.isEmpty()) {
        char[] storePassword = password(configs, "ssl.keystore.password");
        keystore =
            load(keystoreLocation, string(configs, "ssl.keystore.type", "JKS"), storePassword);
        char[] keyPassword = password(configs, "ssl.key.password");
        keyManagers =
            KeyManagerFactory.getInstance(
                string(
                    configs, "ssl.keymanager.algorithm", KeyManagerFactory.getDefaultAlgorithm()));
        keyManagers.init(keystore, keyPassword != null ? keyPassword : storePassword);
      }
      KeyStore truststore = null;
      TrustManagerFactory trustManagers =
          TrustManagerFactory.getInstance(
              string(
                  configs,
                  "ssl.trustmanager.algorithm",
                  TrustManagerFactory.getDefaultAlgorithm()));
      String truststoreLocation = string(configs, "ssl.truststore.location", "");
      if (!truststoreLocation.isEmpty()) {
        truststore =
            load(
                truststoreLocation,
                string(configs, "ssl.truststore.type", "JKS"),
                password(configs, "ssl.truststore.password"));
      }
      // Without a trust store, the JDK's default one (cacerts), as Kafka.
      trustManagers.init(truststore);
      String auth = string(configs, "ssl.client.auth", "none").toUpperCase(Locale.ROOT);
      ClientAuth clientAuth;
      try {
        clientAuth = ClientAuth.valueOf(auth);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("ssl.client.auth", auth, "must be none, requested or required");
      }
      return new TlsSettings(
          keystore,
          truststore,
          keyManagers,
          trustManagers,
          string(configs, "ssl.protocol", "TLSv1.3"),
          list(configs, "ssl.enabled.protocols", List.of("TLSv1.2", "TLSv1.3")),
          list(configs, "ssl.cipher.suites", List.of()),
          clientAuth,
          // Set but empty turns host name verification off, as in Kafka.
          configs.get("ssl.endpoint.identification.algorithm") == null
              ? "https"
              : string(configs, "ssl.endpoint.identification.algorithm", ""));
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException("cannot set up TLS: " + e.getMessage());
    }
  }

  /** Whether a reconfigurable setting differs (Kafka rebuilds the factory then). */
  static boolean reconfigured(Map<String, ?> current, Map<String, ?> next) {
    for (String key : RECONFIGURABLE) {
      if (!string(current, key, "").equals(string(next, key, ""))) {
        return true;
      }
    }
    return false;
  }

  private static KeyStore load(String location, String type, char[] password)
      throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance(type);
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      store.load(in, password);
    }
    return store;
  }

  /** A setting as a string: a {@link Password}'s value, a list joined with commas. */
  static String string(Map<String, ?> configs, String key, String defaultValue) {
    Object v = configs.get(key);
    String s;
    if (v == null) {
      return defaultValue;
    } else if (v instanceof Password p) {
      s = p.value();
    } else if (v instanceof Collection<?> c) {
      s = String.join(",", c.stream().map(String::valueOf).toList());
    } else {
      s = v.toString();
    }
    s = s.trim();
    return s.isEmpty() ? defaultValue : s;
  }

  private static char[] password(Map<String, ?> configs, String key) {
    String s = string(configs, key, "");
    return s.isEmpty() ? null : s.toCharArray();
  }

  /** A list setting; an absent one has the default, an empty one is empty (as Kafka parses it). */
  private static List<String> list(Map<String, ?> configs, String key, List<String> defaultValue) {
    Object v = configs.get(key);
    if (v == null) {
      return defaultValue;
    }
    List<String> out = new ArrayList<>();
    if (v instanceof Collection<?> c) {
      c.forEach(e -> out.add(String.valueOf(e).trim()));
    } else {
      for (String s : v.toString().split(",")) {
        out.add(s.trim());
      }
    }
    out.removeIf(String::isEmpty);
    return List.copyOf(out);
  }
}
