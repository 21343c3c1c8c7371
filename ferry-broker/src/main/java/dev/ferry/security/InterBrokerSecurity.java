package dev.ferry.security;

import dev.ferry.replication.BrokerSocket;
import dev.ferry.replication.InterBrokerChannel;
import dev.ferry.security.scram.ScramClient;
import dev.ferry.security.scram.ScramMechanism;
import dev.ferry.security.ssl.SslFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The broker's client side for the inter-broker listener: TLS with that listener's key and trust
 * stores and engine factory ({@code ssl.engine.factory.class}), and SASL with {@code
 * sasl.mechanism.inter.broker.protocol} and the {@code username}/{@code password} of the listener's
 * JAAS entry for that mechanism, from its {@code sasl.jaas.config} or the JAAS file (as Kafka
 * brokers do).
 */
public final class InterBrokerSecurity implements InterBrokerChannel {

  private final SslFactory ssl;
  private final String mechanism;
  private final String username;
  private final String password;

  private InterBrokerSecurity(SslFactory ssl, String mechanism, String username, String password) {
    this.ssl = ssl;
    this.mechanism = mechanism;
    this.username = username;
    this.password = password;
  }

  /** The channel for the inter-broker listener's protocol; plaintext needs nothing. */
  public static InterBrokerChannel create(
      ListenerSettings settings, SecurityProtocol protocol, String mechanism) {
    if (protocol == SecurityProtocol.PLAINTEXT) {
      return InterBrokerChannel.PLAINTEXT;
    }
    boolean tls = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
    SslFactory ssl = tls ? SslFactory.create(settings, false) : null;
    if (protocol == SecurityProtocol.SSL) {
      return new InterBrokerSecurity(ssl, null, null, null);
    }
    if (!SecureChannelBuilder.SUPPORTED_MECHANISMS.contains(mechanism)) {
      throw new ConfigException(
          "sasl.mechanism.inter.broker.protocol",
          mechanism,
          "the inter-broker listener uses SASL: set one of "
              + SecureChannelBuilder.SUPPORTED_MECHANISMS);
    }
    Map<String, String> options = settings.jaasClientOptions(mechanism).orElse(Map.of());
    String user = options.get("username");
    String pass = options.get("password");
    if (user == null || pass == null) {
      throw new ConfigException(
          "The inter-broker client needs the username and password options of "
              + settings.jaasSources(mechanism));
    }
    return new InterBrokerSecurity(ssl, mechanism, user, pass);
  }

  @Override
  public BrokerSocket connect(String host, int port, int timeoutMs) throws IOException {
    if (ssl == null) {
      return InterBrokerChannel.PLAINTEXT.connect(host, port, timeoutMs);
    }
    return TlsBrokerSocket.connect(host, port, timeoutMs, ssl.createClientEngine(host, port));
  }

  @Override
  public void authenticate(RequestSender sender) throws IOException {
    if (mechanism == null) {
      return;
    }
    SaslHandshakeResponse handshake =
        (SaslHandshakeResponse)
            sender.send(
                new SaslHandshakeRequest.Builder(
                        new SaslHandshakeRequestData().setMechanism(mechanism))
                    .build((short) 1));
    if (handshake.error() != Errors.NONE) {
      throw new SaslAuthenticationException(
          "SASL handshake with the leader failed: "
              + handshake.error()
              + ", enabled there: "
              + handshake.data().mechanisms());
    }
    if (mechanism.equals("PLAIN")) {
      exchange(sender, ("\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8));
      return;
    }
    ScramClient scram =
        new ScramClient(ScramMechanism.forName(mechanism).orElseThrow(), username, password);
    byte[] serverFirst = exchange(sender, scram.clientFirst());
    byte[] serverFinal = exchange(sender, scram.clientFinal(serverFirst));
    scram.verifyServerFinal(serverFinal);
  }

  private static byte[] exchange(RequestSender sender, byte[] message) throws IOException {
    SaslAuthenticateResponse response =
        (SaslAuthenticateResponse)
            sender.send(
                new SaslAuthenticateRequest.Builder(
                        new SaslAuthenticateRequestData().setAuthBytes(message))
                    .build((short) 1));
    if (response.error() != Errors.NONE) {
      throw new SaslAuthenticationException(
          "Inter-broker authentication failed: " + response.errorMessage());
    }
    return response.saslAuthBytes();
  }
}
