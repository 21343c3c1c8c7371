package dev.ferry.coordinator.transaction;

import dev.ferry.replication.BrokerConnection;
import dev.ferry.replication.InterBrokerChannel;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests from the transaction coordinator to other brokers (WriteTxnMarkers, and the partition
 * leaders' AddPartitionsToTxn verification). One thread and one blocking connection per destination
 * broker, so a slow broker delays only its own requests; a failed connection is dropped and
 * reopened by the next request. Callers retry failures. Connections go to the inter-broker listener
 * with its security protocol (TLS, SASL with {@code sasl.mechanism.inter.broker.protocol}), as the
 * replica fetchers' do.
 */
public final class InterBrokerClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InterBrokerClient.class);
  private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

  private final String clientId;
  private final int timeoutMs;
  private final InterBrokerChannel channel;
  private final Map<Integer, Destination> destinations = new HashMap<>();
  private boolean closed;

  public InterBrokerClient(String clientId, int timeoutMs, InterBrokerChannel channel) {
    this.clientId = clientId;
    this.timeoutMs = timeoutMs;
    this.channel = channel;
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
    private BrokerConnection connection;
    private String connectedTo;

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
      if (connection == null || !address.equals(connectedTo)) {
        disconnect();
        connection =
            new BrokerConnection(
                channel, node.host(), node.port(), clientId, timeoutMs, MAX_RESPONSE_BYTES);
        connectedTo = address;
      }
      return connection.send(request);
    }

    void disconnect() {
      if (connection != null) {
        try {
          connection.close();
        } catch (IOException e) {
          log.debug("Closing connection to {}: {}", connectedTo, e.toString());
        }
        connection = null;
        connectedTo = null;
      }
    }
  }
}
