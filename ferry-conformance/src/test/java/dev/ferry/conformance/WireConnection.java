package dev.ferry.conformance;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

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
    RequestHeader header =
        new RequestHeader(request.apiKey(), request.version(), "conformance", correlationId++);
    ByteBuffer payload = request.serializeWithHeader(header);
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
