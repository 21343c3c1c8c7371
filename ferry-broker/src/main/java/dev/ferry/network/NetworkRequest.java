package dev.ferry.network;

import java.net.InetAddress;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * A parsed request as it leaves the network layer. {@code body} may reference the receive buffer
 * (record batches are slices of it); the buffer is never reused, so handlers may keep it.
 *
 * <p>{@code body.version()} equals {@code header.apiVersion()} except for an ApiVersions request
 * newer than the codec: then the body is a v0 {@code ApiVersionsRequest} whose {@code
 * hasUnsupportedRequestVersion()} is true, and the answer (UNSUPPORTED_VERSION plus our ranges) is
 * written in v0. {@code sizeInBytes} is the frame size without its 4-byte prefix; {@code
 * connectionId} ({@code local:port-remote:port-processor-sequence}) is unique per connection;
 * {@code receivedNanos} is the server clock's {@code nanoseconds()} when the last byte of the
 * request was read. {@code listenerName} names the listener it arrived on and {@code principal} who
 * sent it (as authenticated by that listener's security protocol).
 */
public record NetworkRequest(
    RequestHeader header,
    AbstractRequest body,
    int sizeInBytes,
    String connectionId,
    InetAddress clientAddress,
    long receivedNanos,
    String listenerName,
    KafkaPrincipal principal) {

  /** Default listener name of a request built without one (tests, a single listener). */
  public static final String DEFAULT_LISTENER = "PLAINTEXT";

  /** A request from an anonymous client on the default listener. */
  public NetworkRequest(
      RequestHeader header,
      AbstractRequest body,
      int sizeInBytes,
      String connectionId,
      InetAddress clientAddress,
      long receivedNanos) {
    this(
        header,
        body,
        sizeInBytes,
        connectionId,
        clientAddress,
        receivedNanos,
        DEFAULT_LISTENER,
        KafkaPrincipal.ANONYMOUS);
  }
}
