package dev.ferry.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLSession;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * The bytes of one connection between the socket and the Kafka framing: plaintext passes them
 * through (and sends file regions with {@code sendfile}); TLS encrypts and decrypts them and runs
 * its handshake first. A response {@code Send} writes through it as a {@link TransferableChannel}.
 *
 * <p>Owned by one processor thread; the socket is non-blocking, so every call may move fewer bytes
 * than asked, including none.
 */
public interface TransportLayer extends TransferableChannel {

  /**
   * Advances the transport's own handshake (TLS) as far as the socket allows.
   *
   * @return true once application bytes can flow
   * @throws IOException if the handshake failed or the peer went away; the connection is closed
   */
  boolean handshake() throws IOException;

  /** Whether {@link #handshake()} has completed. */
  boolean ready();

  /**
   * While not {@link #ready()}: the selector interest ({@code OP_READ}/{@code OP_WRITE}) needed.
   */
  int handshakeInterestOps();

  /**
   * Reads application bytes.
   *
   * @return bytes read, 0 if none are available yet, -1 at end of stream
   */
  int read(ByteBuffer dst) throws IOException;

  /**
   * Whether decrypted bytes are held that the selector will not report (the socket may have nothing
   * left to read while a TLS record held several requests).
   */
  boolean hasBufferedReads();

  /**
   * Writes bytes the transport holds from earlier writes (encrypted records).
   *
   * @return true once none remain
   */
  boolean flushPending() throws IOException;

  /** The TLS session after the handshake, or null for plaintext. */
  SSLSession sslSession();

  /** The underlying socket. */
  SocketChannel socketChannel();
}
