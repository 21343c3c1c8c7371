package dev.ferry.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A blocking socket speaking Kafka framing, for tests that must send exact requests (or exact
 * garbage) that a real client never would.
 */
public final class RawKafkaConnection implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private int correlationId = 1;

  public RawKafkaConnection(String host, int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), 5_000);
    socket.setSoTimeout(15_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  public static RawKafkaConnection to(TestBroker broker) throws IOException {
    return new RawKafkaConnection("127.0.0.1", broker.broker().port());
  }

  /** Sends {@code request} at its version and returns the parsed response. */
  public AbstractResponse send(AbstractRequest request) throws IOException {
    RequestHeader header = header(request.apiKey(), request.version());
    sendFrame(request.serializeWithHeader(header));
    return receive(header);
  }

  public RequestHeader header(ApiKeys key, short version) {
    return new RequestHeader(key, version, "ferry-test", correlationId++);
  }

  /** Writes {@code payload} with a size prefix. */
  public void sendFrame(ByteBuffer payload) throws IOException {
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    ByteBuffer frame = ByteBuffer.allocate(4 + bytes.length);
    frame.putInt(bytes.length).put(bytes);
    out.write(frame.array());
    out.flush();
  }

  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public AbstractResponse receive(RequestHeader header) throws IOException {
    ByteBuffer frame = ByteBuffer.wrap(readFrame());
    return AbstractResponse.parseResponse(frame, header);
  }

  public byte[] readFrame() throws IOException {
    int size = in.readInt();
    byte[] body = new byte[size];
    in.readFully(body);
    return body;
  }

  /**
   * True if the broker closes the connection (EOF or a reset) within the read timeout; false if it
   * sends a byte or stays silent.
   */
  public boolean closedByBroker() {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
