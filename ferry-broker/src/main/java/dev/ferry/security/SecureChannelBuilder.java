package dev.ferry.security;

import dev.ferry.network.ChannelBuilder;
import dev.ferry.network.ConnectionAuthenticator;
import dev.ferry.network.NetworkMetrics;
import dev.ferry.network.PlaintextTransportLayer;
import dev.ferry.network.TransportLayer;
import dev.ferry.security.sasl.PlainServer;
import dev.ferry.security.sasl.SaslAuthenticator;
import dev.ferry.security.sasl.SaslServerMechanism;
import dev.ferry.security.scram.ScramCredentialSource;
import dev.ferry.security.scram.ScramMechanism;
import dev.ferry.security.scram.ScramServer;
import dev.ferry.security.ssl.SslAuthenticator;
import dev.ferry.security.ssl.SslFactory;
import dev.ferry.security.ssl.SslPrincipalMapper;
import dev.ferry.security.ssl.SslTransportLayer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the transport and authenticator of each connection of one listener from its security
 * protocol: PLAINTEXT, SSL (TLS, principal from the client certificate), SASL_PLAINTEXT and
 * SASL_SSL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). Settings are read and validated once, at
 * start-up.
 */
public final class SecureChannelBuilder implements ChannelBuilder {

  private static final Logger log = LoggerFactory.getLogger(SecureChannelBuilder.class);

  /** The mechanisms Ferry implements. */
  public static final List<String> SUPPORTED_MECHANISMS =
      List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

  private final String listenerName;
  private final SecurityProtocol protocol;
  private final SslFactory ssl;
  private final SslPrincipalMapper principalMapper;
  private final SaslAuthenticator.Settings sasl;

  private SecureChannelBuilder(
      String listenerName,
      SecurityProtocol protocol,
      SslFactory ssl,
      SslPrincipalMapper principalMapper,
      SaslAuthenticator.Settings sasl) {
    this.listenerName = listenerName;
    this.protocol = protocol;
    this.ssl = ssl;
    this.principalMapper = principalMapper;
    this.sasl = sasl;
  }

  /**
   * The channel builder of a listener.
   *
   * @throws ConfigException if its security settings are missing or wrong
   */
  public static ChannelBuilder create(
      ListenerSettings settings,
      SecurityProtocol protocol,
      ScramCredentialSource scramCredentials,
      NetworkMetrics metrics) {
    if (protocol == SecurityProtocol.PLAINTEXT) {
      return ChannelBuilder.plaintext(settings.listenerName());
    }
    boolean tls = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
    SslFactory ssl = tls ? SslFactory.create(settings, true) : null;
    SslPrincipalMapper mapper =
        SslPrincipalMapper.parse(settings.get("ssl.principal.mapping.rules", "DEFAULT"));
    SaslAuthenticator.Settings sasl = null;
    if (protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL) {
      sasl = saslSettings(settings, scramCredentials, metrics);
    }
    return new SecureChannelBuilder(settings.listenerName(), protocol, ssl, mapper, sasl);
  }

  private static SaslAuthenticator.Settings saslSettings(
      ListenerSettings settings, ScramCredentialSource scramCredentials, NetworkMetrics metrics) {
    // Kafka's default is GSSAPI, which Ferry does not implement: a SASL listener names its
    // mechanisms.
    List<String> enabled = new ArrayList<>();
    for (String m : settings.list("sasl.enabled.mechanisms", "GSSAPI")) {
      if (SUPPORTED_MECHANISMS.contains(m)) {
        enabled.add(m);
      } else {
        log.warn(
            "Listener {}: SASL mechanism {} is not supported by Ferry; ignored",
            settings.listenerName(),
            m);
      }
    }
    if (enabled.isEmpty()) {
      throw new ConfigException(
          "listener "
              + settings.listenerName()
              + ": sasl.enabled.mechanisms must name at least one of "
              + SUPPORTED_MECHANISMS);
    }
    Map<String, String> plainUsers = Map.of();
    if (enabled.contains("PLAIN")) {
      plainUsers =
          settings
              .jaasOptions("PLAIN")
              .orElseThrow(
                  () ->
                      new ConfigException(
                          "PLAIN is enabled on listener "
                              + settings.listenerName()
                              + ": its users need "
                              + settings.jaasSources("PLAIN")));
    }
    Map<String, String> users = plainUsers;
    SaslAuthenticator.AuthenticationListener listener =
        new SaslAuthenticator.AuthenticationListener() {
          @Override
          public void succeeded(boolean reauthentication) {
            metrics.authenticationSucceeded();
          }

          @Override
          public void failed() {
            metrics.authenticationFailed();
          }
        };
    return new SaslAuthenticator.Settings(
        List.copyOf(enabled),
        name -> mechanism(name, users, scramCredentials),
        settings.longValue("connections.max.reauth.ms", 0L),
        settings.longValue("connection.failed.authentication.delay.ms", 100L),
        Runnable::run,
        listener,
        System::nanoTime);
  }

  private static Optional<SaslServerMechanism> mechanism(
      String name, Map<String, String> plainUsers, ScramCredentialSource scramCredentials) {
    if (name.equals("PLAIN")) {
      return Optional.of(new PlainServer(plainUsers));
    }
    return ScramMechanism.forName(name).map(m -> new ScramServer(m, scramCredentials));
  }

  @Override
  public String listenerName() {
    return listenerName;
  }

  @Override
  public TransportLayer transport(SocketChannel socket) throws IOException {
    if (ssl == null) {
      return new PlaintextTransportLayer(socket);
    }
    InetSocketAddress peer = (InetSocketAddress) socket.getRemoteAddress();
    return new SslTransportLayer(
        socket, ssl.createServerEngine(peer.getAddress().getHostAddress(), peer.getPort()));
  }

  @Override
  public ConnectionAuthenticator authenticator(TransportLayer transport) {
    if (sasl != null) {
      return new SaslAuthenticator(sasl);
    }
    if (protocol == SecurityProtocol.SSL) {
      return new SslAuthenticator(transport, principalMapper);
    }
    return ConnectionAuthenticator.ANONYMOUS;
  }
}
