package dev.ferry.security.ssl;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.config.ConfigException;

/**
 * TLS engines of BoringSSL through Netty's binding ({@code netty-tcnative-boringssl-static}): plain
 * {@link SSLEngine}s, so {@link SslTransportLayer} drives them as it drives the JDK's, but their
 * record encryption costs a fraction of the JDK's. Configured from the same {@code ssl.*} settings
 * as {@link JdkSslEngineFactory}: the JDK loads the key and trust stores (JKS or PKCS12) and its
 * key and trust managers choose the certificate and verify the peer, so {@code ssl.client.auth},
 * the principal taken from a client certificate and the trust decisions are the JDK's; BoringSSL
 * only runs the protocol. Without {@code ssl.cipher.suites} the engine offers the JDK's default
 * suites that BoringSSL implements.
 *
 * <p>Ferry's default engine factory on a server listener when the native library loads (see {@link
 * SslFactory}).
 */
public final class OpenSslEngineFactory extends AbstractSslEngineFactory {

  /**
   * Pooled: the engine borrows a direct buffer when given a heap one (a response's buffers), and a
   * pool makes that cheap.
   */
  private static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

  private SslContext server;
  private SslContext client;

  /**
   * Why BoringSSL cannot be used in this process, or empty if it can. The first call loads the
   * native library (from the platform's {@code netty-tcnative-boringssl-static} jar).
   */
  public static Optional<Throwable> unavailabilityCause() {
    try {
      return OpenSsl.isAvailable() ? Optional.empty() : Optional.of(OpenSsl.unavailabilityCause());
    } catch (LinkageError e) {
      // Netty's classes themselves are missing or broken.
      return Optional.of(e);
    }
  }

  /** The TLS library's name and version, for the log. */
  public static String libraryVersion() {
    return OpenSsl.versionString();
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Optional<Throwable> unavailable = unavailabilityCause();
    if (unavailable.isPresent()) {
      throw new ConfigException(
          "ssl.engine.factory.class",
          getClass().getName(),
          "the OpenSSL (BoringSSL) library did not load: " + unavailable.get());
    }
    super.configure(configs);
  }

  @Override
  protected void build(TlsSettings settings) {
    try {
      if (settings.keyManagers != null) {
        server =
            common(
                    SslContextBuilder.forServer(
                        new OpenSslCachingX509KeyManagerFactory(settings.keyManagers)),
                    settings)
                .clientAuth(
                    switch (settings.clientAuth) {
                      case REQUIRED -> ClientAuth.REQUIRE;
                      case REQUESTED -> ClientAuth.OPTIONAL;
                      case NONE -> ClientAuth.NONE;
                    })
                .build();
      }
      SslContextBuilder forClient = SslContextBuilder.forClient();
      if (settings.keyManagers != null) {
        forClient.keyManager(settings.keyManagers);
      }
      client = common(forClient, settings).build();
    } catch (SSLException | NoSuchAlgorithmException | IllegalArgumentException e) {
      throw new ConfigException("cannot set up TLS with OpenSSL: " + e.getMessage());
    }
  }

  private static SslContextBuilder common(SslContextBuilder builder, TlsSettings settings)
      throws NoSuchAlgorithmException {
    builder.sslProvider(SslProvider.OPENSSL).trustManager(settings.trustManagers);
    if (!settings.enabledProtocols.isEmpty()) {
      builder.protocols(settings.enabledProtocols);
    }
    if (settings.cipherSuites.isEmpty()) {
      // Kafka leaves the JDK's defaults: offer those BoringSSL has, in the JDK's order.
      List<String> jdkDefaults =
          Arrays.asList(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites());
      builder.ciphers(jdkDefaults, SupportedCipherSuiteFilter.INSTANCE);
    } else {
      // As named: an unknown suite fails here, at start-up, rather than at the first handshake.
      builder.ciphers(settings.cipherSuites, IdentityCipherSuiteFilter.INSTANCE);
    }
    return builder;
  }

  @Override
  public SSLEngine createServerSslEngine(String peerHost, int peerPort) {
    if (server == null) {
      throw new IllegalStateException("a server engine needs ssl.keystore.location");
    }
    return server.newEngine(ALLOCATOR, peerHost, peerPort);
  }

  @Override
  public SSLEngine createClientSslEngine(
      String peerHost, int peerPort, String endpointIdentification) {
    return withEndpointIdentification(
        client.newEngine(ALLOCATOR, peerHost, peerPort), endpointIdentification);
  }
}
