package dev.ferry.coordinator.transaction;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests from the transaction coordinator to other brokers (WriteTxnMarkers, and the partition
 * leaders' AddPartitionsToTxn verification). One thread and one blocking connection per destination
 * broker, so a slow broker delays only its own requests; a failed connection is dropped and
 * reopened by the next request. Callers retry failures.
 */
public final class InterBrokerClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InterBrokerClient.class);
  private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

  private final String clientId;
  private final int timeoutMs;
  private final Map<Integer, Destination> destinations = new HashMap<>();
  private boolean closed;

  public InterBrokerClient(String clientId, int timeoutMs) {
    this.clientId = clientId;
    this.timeoutMs = timeoutMs;
  }

  /** Sends the request on the destination's thread; completes with its response. */
  public CompletableFuture<AbstractResponse> send(Node node, AbstractRequest request) {
    Destination d;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new IOException("client closed"));
      }
      d = destinations.computeIfAbsent(node.id(), id -> new Destination(id));
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return d.send(node, request);
          } catch (IOException e) {
            d.disconnect();
            throw new java.io.UncheckedIOException(e);
          }
        },
        d.thread);
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Destination d : destinations.values()) {
      d.thread.shutdownNow();
      d.disconnect();
    }
    destinations.clear();
  }

  private final class Destination {
    final ExecutorService thread;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private String connectedTo;
    private int correlationId;

    Destination(int brokerId) {
      this.thread =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "ferry-txn-sender-to-" + brokerId);
                t.setDaemon(true);
                return t;
              });
    }

    AbstractResponse send(Node node, AbstractRequest request) throws IOException {
      String address = node.host() + ":" + node.port();
      if (socket == null || !address.equals(connectedTo)) {
        disconnect();
        Socket s = new Socket();
        try {
          s.setTcpNoDelay(true);
          s.connect(new InetSocketAddress(node.host(), node.port()), timeoutMs);
          s.setSoTimeout(timeoutMs);
          in = new DataInputStream(s.getInputStream());
          out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
        } catch (IOException e) {
          s.close();
          throw e;
        }
        socket = s;
        connectedTo = address;
      }
      RequestHeader header =
          new RequestHeader(request.apiKey(), request.version(), clientId, ++correlationId);
      ByteBuffer payload = request.serializeWithHeader(header);
      byte[] frame = new byte[4 + payload.remaining()];
      ByteBuffer.wrap(frame).putInt(payload.remaining()).put(payload);
      out.write(frame);
      out.flush();
      int size = in.readInt();
      if (size < 0 || size > MAX_RESPONSE_BYTES) {
        throw new IOException("Response of " + size + " bytes from " + address);
      }
      byte[] body = new byte[size];
      in.readFully(body);
      return AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
    }

    void disconnect() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          log.debug("Closing connection to {}: {}", connectedTo, e.toString());
        }
        socket = null;
        connectedTo = null;
      }
    }
  }
}
