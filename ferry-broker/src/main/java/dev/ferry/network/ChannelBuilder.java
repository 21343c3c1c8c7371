package dev.ferry.network;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * What a listener's security protocol adds to each accepted socket: its transport (plaintext or
 * TLS) and its authenticator (none, the TLS certificate, or SASL). One per listener; called on the
 * processor thread that will own the connection.
 */
public interface ChannelBuilder {

  /** The listener's name ({@code PLAINTEXT}, {@code INTERNAL}...), carried by every request. */
  String listenerName();

  TransportLayer transport(SocketChannel socket) throws IOException;

  ConnectionAuthenticator authenticator(TransportLayer transport);

  /** A PLAINTEXT listener: the socket as it is, everyone {@code User:ANONYMOUS}. */
  static ChannelBuilder plaintext(String listenerName) {
    return new ChannelBuilder() {
      @Override
      public String listenerName() {
        return listenerName;
      }

      @Override
      public TransportLayer transport(SocketChannel socket) {
        return new PlaintextTransportLayer(socket);
      }

      @Override
      public ConnectionAuthenticator authenticator(TransportLayer transport) {
        return ConnectionAuthenticator.ANONYMOUS;
      }
    };
  }
}
