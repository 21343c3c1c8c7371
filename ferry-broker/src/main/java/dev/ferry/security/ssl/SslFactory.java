package dev.ferry.security.ssl;

import dev.ferry.security.ListenerSettings;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SslEngineFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS of one listener (or of the inter-broker client), set up once from Kafka's {@code ssl.*}
 * settings.
 *
 * <p>A listener's engines come from {@code ssl.engine.factory.class}, as in Kafka (KIP-519): any
 * {@link SslEngineFactory}, configured with the listener's settings typed as Kafka types them.
 * Naming Kafka's default, {@code org.apache.kafka.common.security.ssl.DefaultSslEngineFactory},
 * selects the JDK's engine ({@link JdkSslEngineFactory}, which reads the settings as that class
 * does). Left unset, Ferry uses BoringSSL ({@link OpenSslEngineFactory}) if its native library
 * loads on this platform, and otherwise the JDK's engine, saying why in one log line: the settings,
 * the stores and what clients see are the same with both, and BoringSSL encrypts for a fraction of
 * the JDK's CPU.
 *
 * <p>The inter-broker client's engines come from the inter-broker listener's factory, chosen the
 * same way, so replication encrypts with the engine the listeners use.
 */
public final class SslFactory {

  private static final Logger log = LoggerFactory.getLogger(SslFactory.class);

  static final String ENGINE_FACTORY_CLASS = "ssl.engine.factory.class";

  /** Kafka's default {@code ssl.engine.factory.class}: the JDK's engine. */
  static final String KAFKA_DEFAULT_ENGINE_FACTORY =
      "org.apache.kafka.common.security.ssl.DefaultSslEngineFactory";

  private static final String ENDPOINT_IDENTIFICATION = "ssl.endpoint.identification.algorithm";

  private final SslEngineFactory engines;

  /** {@code ssl.endpoint.identification.algorithm} for client engines; empty turns it off. */
  private final String endpointIdentification;

  private SslFactory(SslEngineFactory engines, String endpointIdentification) {
    this.engines = engines;
    this.endpointIdentification = endpointIdentification;
  }

  /**
   * Reads the listener's settings and loads its stores.
   *
   * @throws ConfigException naming the setting that is missing or wrong
   */
  public static SslFactory create(ListenerSettings settings, boolean server) {
    return create(settings, server, OpenSslEngineFactory::unavailabilityCause);
  }

  /**
   * @param openSslUnavailable why BoringSSL cannot load, or empty if it can (tests stand in for a
   *     platform without the native library)
   */
  static SslFactory create(
      ListenerSettings settings, boolean server, Supplier<Optional<Throwable>> openSslUnavailable) {
    if (server && settings.get("ssl.keystore.location").isEmpty()) {
      throw new ConfigException(
          "listener "
              + settings.listenerName()
              + ": ssl.keystore.location is required for an SSL or SASL_SSL listener");
    }
    Map<String, Object> configs = SslEngineConfigs.of(settings);
    try {
      SslEngineFactory engines = engineFactory(settings, openSslUnavailable);
      engines.configure(configs);
      log.info(
          "Listener {}{}: TLS engines from {}{}",
          settings.listenerName(),
          server ? "" : " (inter-broker client)",
          engines.getClass().getName(),
          engines instanceof OpenSslEngineFactory
              ? " (" + OpenSslEngineFactory.libraryVersion() + ")"
              : "");
      // Kafka hands the setting as configured to the factory: set but empty turns host name
      // verification off.
      Object identification = configs.get(ENDPOINT_IDENTIFICATION);
      return new SslFactory(
          engines, identification == null ? "https" : identification.toString().trim());
    } catch (ConfigException e) {
      throw new ConfigException("listener " + settings.listenerName() + ": " + e.getMessage());
    }
  }

  private static SslEngineFactory engineFactory(
      ListenerSettings settings, Supplier<Optional<Throwable>> openSslUnavailable) {
    Optional<String> name = settings.get(ENGINE_FACTORY_CLASS);
    if (name.isEmpty()) {
      Optional<Throwable> cause = openSslUnavailable.get();
      if (cause.isEmpty()) {
        return new OpenSslEngineFactory();
      }
      log.warn(
          "Listener {}: the OpenSSL (BoringSSL) TLS engine is not available on this platform ({});"
              + " using the JDK's TLS engine, which costs more CPU per byte",
          settings.listenerName(),
          cause.get().toString());
      return new JdkSslEngineFactory();
    }
    if (name.get().equals(KAFKA_DEFAULT_ENGINE_FACTORY)) {
      return new JdkSslEngineFactory();
    }
    return instantiate(name.get());
  }

  private static SslEngineFactory instantiate(String className) {
    try {
      Class<?> type = Class.forName(className, true, SslFactory.class.getClassLoader());
      if (!SslEngineFactory.class.isAssignableFrom(type)) {
        throw new ConfigException(
            ENGINE_FACTORY_CLASS,
            className,
            "does not implement " + SslEngineFactory.class.getName());
      }
      return (SslEngineFactory) type.getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw new ConfigException(ENGINE_FACTORY_CLASS, className, "class not found");
    } catch (ReflectiveOperationException e) {
      Throwable cause = e instanceof InvocationTargetException i ? i.getCause() : e;
      throw new ConfigException(
          ENGINE_FACTORY_CLASS, className, "cannot be instantiated: " + cause);
    }
  }

  /** The factory the listener's engines come from. */
  SslEngineFactory engineFactory() {
    return engines;
  }

  /** A server-side engine for one accepted connection. */
  public SSLEngine createServerEngine(String peerHost, int peerPort) {
    return engines.createServerSslEngine(peerHost, peerPort);
  }

  /**
   * A client-side engine to {@code peerHost:peerPort} (the inter-broker client), with host name
   * verification as {@code ssl.endpoint.identification.algorithm} says.
   */
  public SSLEngine createClientEngine(String peerHost, int peerPort) {
    return engines.createClientSslEngine(peerHost, peerPort, endpointIdentification);
  }
}
