package dev.ferry.network;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/** Turns one size-delimited frame into a {@link NetworkRequest} using kafka-clients' codec. */
final class RequestParser {

  private RequestParser() {}

  /**
   * Parses {@code frame} (positioned at the header, limited to the frame). The body is decoded in
   * place: record batches of a produce request stay slices of {@code frame}.
   *
   * @throws MalformedRequestException if the frame is not a request this codec understands; the
   *     message names the raw header fields for the log
   */
  static NetworkRequest parse(
      ByteBuffer frame, String connectionId, InetAddress clientAddress, long receivedNanos)
      throws MalformedRequestException {
    return parse(
        frame,
        connectionId,
        clientAddress,
        receivedNanos,
        NetworkRequest.DEFAULT_LISTENER,
        KafkaPrincipal.ANONYMOUS);
  }

  /** As {@link #parse(ByteBuffer, String, InetAddress, long)}, for a listener and principal. */
  static NetworkRequest parse(
      ByteBuffer frame,
      String connectionId,
      InetAddress clientAddress,
      long receivedNanos,
      String listenerName,
      KafkaPrincipal principal)
      throws MalformedRequestException {
    int start = frame.position();
    int size = frame.remaining();
    if (size >= 2 && !ApiKeys.hasId(frame.getShort(start))) {
      throw malformed(frame, start, "unknown api key");
    }
    RequestHeader header;
    try {
      header = RequestHeader.parse(frame);
    } catch (RuntimeException e) {
      throw malformed(frame, start, "unreadable request header: " + describe(e));
    }
    AbstractRequest body;
    if (header.isApiVersionSupported()) {
      try {
        body =
            AbstractRequest.parseRequest(
                    header.apiKey(), header.apiVersion(), new ByteBufferAccessor(frame))
                .request;
      } catch (RuntimeException e) {
        throw malformed(frame, start, "unparseable request body: " + describe(e));
      }
    } else if (header.apiKey() == ApiKeys.API_VERSIONS) {
      // KIP-511: a client newer than our codec opens with an ApiVersions version we cannot read.
      // Its body is skipped; the handler sees a v0 request that remembers the version asked for and
      // answers UNSUPPORTED_VERSION in the v0 format every client can read, listing what we speak.
      body = new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 0, header.apiVersion());
    } else {
      throw malformed(frame, start, "unsupported api version");
    }
    return new NetworkRequest(
        header, body, size, connectionId, clientAddress, receivedNanos, listenerName, principal);
  }

  /** Describes the raw header fields of a bad frame, reading only bytes that are there. */
  private static MalformedRequestException malformed(ByteBuffer frame, int start, String reason) {
    int limit = frame.limit();
    String apiKey = limit - start >= 2 ? Short.toString(frame.getShort(start)) : "?";
    String version = limit - start >= 4 ? Short.toString(frame.getShort(start + 2)) : "?";
    String correlationId = limit - start >= 8 ? Integer.toString(frame.getInt(start + 4)) : "?";
    return new MalformedRequestException(
        "api key "
            + apiKey
            + ", version "
            + version
            + ", correlation id "
            + correlationId
            + ", client id "
            + peekClientId(frame, start)
            + ", size "
            + (limit - start)
            + ": "
            + reason);
  }

  private static String peekClientId(ByteBuffer frame, int start) {
    int limit = frame.limit();
    if (limit - start < 10) {
      return "?";
    }
    int length = frame.getShort(start + 8);
    if (length < 0) {
      return "null";
    }
    int from = start + 10;
    if (limit - from < length) {
      return "?";
    }
    byte[] bytes = new byte[Math.min(length, 256)];
    frame.get(from, bytes);
    return '"' + new String(bytes, StandardCharsets.UTF_8) + '"';
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + message;
  }
}
