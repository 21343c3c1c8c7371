package dev.ferry.bench.connections;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Many connections that each did what every Kafka client does first (an ApiVersions request, v3
 * with a client software name, answered) and then stay open and silent, like the idle producers of
 * a large fleet between sends. Raw blocking sockets: one file descriptor and no thread each on this
 * side, so ten thousand fit in the harness. The source address rotates over 127.0.0.1–4 so the
 * loopback's ephemeral ports last for any count.
 */
final class IdleConnections implements AutoCloseable {

  private static final int SOURCE_ADDRESSES = 4;
  private static final int OPENER_THREADS = 4;

  private final List<SocketChannel> channels = new ArrayList<>();

  /** Opens {@code count} connections to {@code host:port}; throws if any fails. */
  static IdleConnections open(String host, int port, int count, long timeoutSeconds)
      throws Exception {
    IdleConnections idle = new IdleConnections();
    ExecutorService pool = Executors.newFixedThreadPool(OPENER_THREADS);
    try {
      List<Future<List<SocketChannel>>> parts = new ArrayList<>();
      for (int t = 0; t < OPENER_THREADS; t++) {
        int first = t;
        parts.add(
            pool.submit(
                () -> {
                  List<SocketChannel> mine = new ArrayList<>();
                  try {
                    for (int i = first; i < count; i += OPENER_THREADS) {
                      mine.add(connect(host, port, i));
                    }
                  } catch (IOException | RuntimeException e) {
                    closeAll(mine);
                    throw e;
                  }
                  return mine;
                }));
      }
      Exception failure = null;
      for (Future<List<SocketChannel>> part : parts) {
        try {
          idle.channels.addAll(part.get(timeoutSeconds, TimeUnit.SECONDS));
        } catch (Exception e) {
          failure = failure == null ? e : failure;
        }
      }
      if (failure != null) {
        idle.close();
        throw failure;
      }
      return idle;
    } finally {
      pool.shutdownNow();
    }
  }

  int size() {
    return channels.size();
  }

  /** Connections the broker has closed since (a read returns end of stream); a bounded check. */
  int countClosedByBroker() throws IOException {
    int closed = 0;
    ByteBuffer one = ByteBuffer.allocate(1);
    for (SocketChannel c : channels) {
      c.configureBlocking(false);
      one.clear();
      if (c.read(one) < 0) {
        closed++;
      }
      c.configureBlocking(true);
    }
    return closed;
  }

  private static SocketChannel connect(String host, int port, int i) throws IOException {
    SocketChannel channel = SocketChannel.open();
    try {
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.bind(new InetSocketAddress("127.0.0." + (1 + i % SOURCE_ADDRESSES), 0));
      channel.socket().connect(new InetSocketAddress(host, port), 10_000);
      channel.socket().setSoTimeout(10_000);
      channel.write(apiVersionsFrame(i));
      readFrame(channel);
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  static ByteBuffer apiVersionsFrame(int correlationId) {
    short version = 3;
    ApiVersionsRequest request =
        new ApiVersionsRequest(
            new ApiVersionsRequestData()
                .setClientSoftwareName("ferry-bench-idle")
                .setClientSoftwareVersion("1.0"),
            version);
    RequestHeader header =
        new RequestHeader(ApiKeys.API_VERSIONS, version, "idle-" + correlationId, correlationId);
    ByteBuffer body = request.serializeWithHeader(header);
    ByteBuffer frame = ByteBuffer.allocate(4 + body.remaining());
    frame.putInt(body.remaining()).put(body).flip();
    return frame;
  }

  private static void readFrame(SocketChannel channel) throws IOException {
    // Blocking reads through the socket's stream honour SO_TIMEOUT; the channel's would not.
    var in = channel.socket().getInputStream();
    byte[] size = in.readNBytes(4);
    if (size.length < 4) {
      throw new EOFException("closed before the ApiVersions response");
    }
    int n = ByteBuffer.wrap(size).getInt();
    if (in.readNBytes(n).length < n) {
      throw new EOFException("closed in the ApiVersions response");
    }
  }

  private static void closeAll(List<SocketChannel> list) {
    for (SocketChannel c : list) {
      try {
        c.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  @Override
  public void close() {
    closeAll(channels);
    channels.clear();
  }
}
