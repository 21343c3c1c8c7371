package dev.ferry.network;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** A blocking test client speaking Kafka framing with kafka-clients' codec. */
final class WireClient implements AutoCloseable {

  /** A response frame: the correlation id read raw from the wire, and the parsed body. */
  record Received(int correlationId, AbstractResponse response) {}

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  WireClient(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  Socket socket() {
    return socket;
  }

  void send(RequestHeader header, AbstractRequest request) throws IOException {
    ByteBuffer payload = request.serializeWithHeader(header);
    ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining());
    frame.putInt(payload.remaining()).put(payload);
    out.write(frame.array());
    out.flush();
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads one size-delimited frame (without its size prefix). */
  ByteBuffer receiveFrame() throws IOException {
    int size = in.readInt();
    byte[] payload = new byte[size];
    in.readFully(payload);
    return ByteBuffer.wrap(payload);
  }

  /** Reads one response to {@code header}'s request and parses it with the codec. */
  Received receive(RequestHeader header) throws IOException {
    ByteBuffer frame = receiveFrame();
    int correlationId = frame.getInt(0);
    return new Received(correlationId, AbstractResponse.parseResponse(frame, header));
  }

  AbstractResponse roundTrip(RequestHeader header, AbstractRequest request) throws IOException {
    send(header, request);
    return receive(header).response();
  }

  /**
   * Whether the server closes the connection within the timeout without sending anything first.
   *
   * @throws AssertionError if bytes arrive instead
   */
  boolean closedByServerWithin(long timeout, TimeUnit unit) throws IOException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (System.nanoTime() < deadline) {
      socket.setSoTimeout(
          (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      try {
        int b = in.read();
        if (b < 0) {
          return true;
        }
        throw new AssertionError("expected the server to close the connection, got byte " + b);
      } catch (SocketTimeoutException e) {
        return false;
      } catch (EOFException e) {
        return true;
      } catch (IOException e) {
        // Connection reset: the server closed with unread data in its buffer.
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
