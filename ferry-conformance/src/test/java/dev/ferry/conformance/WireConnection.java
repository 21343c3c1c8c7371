package dev.ferry.conformance;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * A blocking socket speaking Kafka framing with the kafka-clients codec: the exact request a test
 * built, at the exact version, with nothing a real client would add or retry.
 */
final class WireConnection implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private int correlationId = 1;

  WireConnection(String host, int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), 5_000);
    socket.setSoTimeout(30_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Sends {@code request} at its version and returns the parsed response. */
  AbstractResponse send(AbstractRequest request) throws IOException {
    return send(request.data(), request.version());
  }

  /**
   * Sends {@code data} at {@code version} exactly as the message serializes, with none of the
   * checks a request class makes on construction (so bindings a client would refuse to send, such
   * as an ACL for operation ANY, reach the broker), and returns the parsed response.
   */
  AbstractResponse send(ApiMessage data, short version) throws IOException {
    RequestHeader header =
        new RequestHeader(ApiKeys.forId(data.apiKey()), version, "conformance", correlationId++);
    ByteBuffer payload =
        RequestUtils.serialize(header.data(), header.headerVersion(), data, version);
    ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining());
    frame.putInt(payload.remaining()).put(payload);
    out.write(frame.array());
    out.flush();
    int size = in.readInt();
    byte[] body = new byte[size];
    in.readFully(body);
    return AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
