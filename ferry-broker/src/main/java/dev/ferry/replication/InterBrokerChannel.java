package dev.ferry.replication;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * How this broker reaches another broker's inter-broker listener: the socket (plaintext or TLS) and
 * the authentication exchanged on it before the first fetch (SASL).
 */
public interface InterBrokerChannel {

  /**
   * A connected socket to {@code host:port}, any TLS handshake done; its reads time out after
   * {@code timeoutMs}.
   */
  BrokerSocket connect(String host, int port, int timeoutMs) throws IOException;

  /** Authenticates a fresh connection through {@code sender} (SaslHandshake, SaslAuthenticate). */
  void authenticate(RequestSender sender) throws IOException;

  /** Sends one request on the connection being authenticated and waits for its response. */
  @FunctionalInterface
  interface RequestSender {
    AbstractResponse send(AbstractRequest request) throws IOException;
  }

  /** Plain TCP, no authentication. */
  InterBrokerChannel PLAINTEXT =
      new InterBrokerChannel() {
        @Override
        public BrokerSocket connect(String host, int port, int timeoutMs) throws IOException {
          Socket socket = new Socket();
          try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            return BrokerSocket.of(socket);
          } catch (IOException e) {
            socket.close();
            throw e;
          }
        }

        @Override
        public void authenticate(RequestSender sender) {}
      };
}
