package dev.ferry.replication;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A blocking Kafka-protocol connection to another broker's inter-broker listener (plaintext, TLS,
 * SASL as the {@link InterBrokerChannel} says), used by one thread at a time (a replica fetcher,
 * the transaction coordinator's sender to one broker): one request at a time, size-prefixed frames,
 * the kafka-clients codec for headers and bodies. A response is read into one fresh heap buffer, so
 * the record batches in it can be appended as they are (slices of that buffer).
 */
public final class BrokerConnection implements Closeable {

  private final BrokerSocket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final String clientId;
  private final int maxResponseBytes;
  private int correlationId;

  /** A response's size prefix, read in one call (not byte by byte, as readInt would). */
  private final byte[] sizePrefix = new byte[4];

  /** Connects, runs the channel's handshake and authentication; bounded by {@code timeoutMs}. */
  public BrokerConnection(
      InterBrokerChannel channel,
      String host,
      int port,
      String clientId,
      int timeoutMs,
      int maxResponseBytes)
      throws IOException {
    this.clientId = clientId;
    this.maxResponseBytes = maxResponseBytes;
    socket = channel.connect(host, port, timeoutMs);
    try {
      in = new DataInputStream(socket.input());
      out = new BufferedOutputStream(socket.output(), 64 * 1024);
      channel.authenticate(this::send);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Sends {@code request} at its version and waits for the response. */
  public AbstractResponse send(AbstractRequest request) throws IOException {
    RequestHeader header =
        new RequestHeader(request.apiKey(), request.version(), clientId, ++correlationId);
    ByteBuffer payload = request.serializeWithHeader(header);
    byte[] frame = new byte[4 + payload.remaining()];
    ByteBuffer.wrap(frame).putInt(payload.remaining()).put(payload);
    out.write(frame);
    out.flush();
    in.readFully(sizePrefix);
    int size = ByteBuffer.wrap(sizePrefix).getInt();
    if (size < 0 || size > maxResponseBytes) {
      throw new IOException("Response of " + size + " bytes from " + socket.remoteAddress());
    }
    byte[] body = new byte[size];
    in.readFully(body);
    return AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
