package dev.ferry.reliability;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Sends fuzz cases to a broker, pipelined: a window of cases, then a well-formed ApiVersions
 * "sentinel", then reads responses until the sentinel's answer (every case before it was handled)
 * or until the broker closes the connection. Responses arrive in request order, so the first
 * unanswered case of a closed window is the one that made the broker close it; the cases after it
 * were never read and go into the next window on a fresh connection. Every case is thus processed
 * by the broker exactly once (answered, or rejected by closing the connection).
 */
final class FuzzClient implements AutoCloseable {

  /** Counts of one fuzz run. */
  static final class Stats {
    long processed;
    long bytesSent;
    long answered;
    long closedByBroker;
    long stalls;
    long connections;
    final Map<String, Long> byKind = new TreeMap<>();
    final Map<String, Long> closesByKind = new TreeMap<>();
    final Map<String, Long> stallsByKind = new TreeMap<>();

    /** Adds {@code other}'s counts to these. */
    void add(Stats other) {
      processed += other.processed;
      bytesSent += other.bytesSent;
      answered += other.answered;
      closedByBroker += other.closedByBroker;
      stalls += other.stalls;
      connections += other.connections;
      other.byKind.forEach((k, v) -> byKind.merge(k, v, Long::sum));
      other.closesByKind.forEach((k, v) -> closesByKind.merge(k, v, Long::sum));
      other.stallsByKind.forEach((k, v) -> stallsByKind.merge(k, v, Long::sum));
    }

    @Override
    public String toString() {
      return String.format(
          "%,d cases processed (%,d bytes), %,d answered, %,d rejected by closing the connection,"
              + " %,d stalled (no answer within the read timeout, by kind/api %s), %,d connections;"
              + " cases by kind %s; closes by kind %s",
          processed,
          bytesSent,
          answered,
          closedByBroker,
          stalls,
          stallsByKind,
          connections,
          byKind,
          closesByKind);
    }
  }

  private static final int SENTINEL_BASE = 0x5E000000;

  private final String host;
  private final int port;
  private final int window;
  private final int readTimeoutMs;
  private final byte[] sentinelTemplate;
  private final Deque<FuzzCase> pending = new ArrayDeque<>();
  private final Stats stats = new Stats();
  private Socket socket;
  private OutputStream out;
  private DataInputStream in;
  private int sentinels;
  private byte[] readBuffer = new byte[64 * 1024];

  FuzzClient(String host, int port, int window, int readTimeoutMs) {
    this.host = host;
    this.port = port;
    this.window = window;
    this.readTimeoutMs = readTimeoutMs;
    this.sentinelTemplate =
        RequestTemplates.encode(ApiKeys.API_VERSIONS, (short) 0, new ApiVersionsRequestData())
            .payload();
  }

  Stats stats() {
    return stats;
  }

  /**
   * Processes cases from {@code source} until {@code count} have been handled by the broker,
   * reporting the number handled after each window to {@code progress}.
   */
  void run(Mutator source, long count, LongConsumer progress) throws IOException {
    while (stats.processed < count) {
      List<FuzzCase> batch = new ArrayList<>(window);
      while (batch.size() < window) {
        FuzzCase c = pending.isEmpty() ? source.next() : pending.pollFirst();
        batch.add(c);
        if (c.terminal()) {
          break;
        }
      }
      long before = stats.processed;
      runWindow(batch);
      progress.accept(stats.processed - before);
    }
  }

  private void runWindow(List<FuzzCase> batch) throws IOException {
    if (socket == null) {
      connect();
    }
    FuzzCase last = batch.get(batch.size() - 1);
    int sentinelId = SENTINEL_BASE + (sentinels++ & 0xFFFFFF);
    boolean writeFailed = false;
    try {
      for (FuzzCase c : batch) {
        writeFrame(c.declaredSize(), c.payload());
      }
      if (last.terminal()) {
        out.flush();
        socket.shutdownOutput();
      } else {
        byte[] sentinel = sentinelTemplate.clone();
        ByteBuffer.wrap(sentinel).putInt(4, sentinelId);
        writeFrame(sentinel.length, sentinel);
        out.flush();
      }
    } catch (IOException e) {
      writeFailed = true; // the broker closed mid-window; read what it answered first
    }
    int answeredUpTo = -1; // index of the last case answered
    boolean sentinelSeen = false;
    boolean stalled = false;
    try {
      while (true) {
        int corr = readResponseCorrelationId();
        if (corr == sentinelId) {
          sentinelSeen = true;
          break;
        }
        for (int i = answeredUpTo + 1; i < batch.size(); i++) {
          if (batch.get(i).payload().length >= 8 && batch.get(i).correlationId() == corr) {
            answeredUpTo = i;
            stats.answered++;
            break;
          }
        }
      }
    } catch (SocketTimeoutException e) {
      stalled = true;
    } catch (EOFException e) {
      // closed by the broker (or, after a terminal case, by both sides)
    } catch (IOException e) {
      // reset by the broker
    }
    int handled;
    if (sentinelSeen) {
      handled = batch.size();
    } else {
      // The case after the last answered one ended the connection (or stalled it).
      handled = Math.min(batch.size(), answeredUpTo + 2);
      FuzzCase culprit = batch.get(handled - 1);
      if (stalled) {
        stats.stalls++;
        int api =
            culprit.payload().length >= 2 ? ByteBuffer.wrap(culprit.payload()).getShort(0) : -1;
        stats.stallsByKind.merge(culprit.kind() + "/" + api, 1L, Long::sum);
      } else {
        stats.closedByBroker++;
        stats.closesByKind.merge(culprit.kind(), 1L, Long::sum);
      }
      for (int i = batch.size() - 1; i >= handled; i--) {
        pending.addFirst(batch.get(i));
      }
      disconnect();
    }
    if (writeFailed && sentinelSeen) {
      throw new IllegalStateException("write failed but the sentinel was answered");
    }
    for (int i = 0; i < handled; i++) {
      stats.processed++;
      stats.byKind.merge(batch.get(i).kind(), 1L, Long::sum);
    }
  }

  private void writeFrame(int declaredSize, byte[] payload) throws IOException {
    byte[] prefix = ByteBuffer.allocate(4).putInt(declaredSize).array();
    out.write(prefix);
    out.write(payload);
    stats.bytesSent += 4 + payload.length;
  }

  private int readResponseCorrelationId() throws IOException {
    int size = in.readInt();
    if (size < 4) {
      throw new IOException("response of size " + size);
    }
    if (size > readBuffer.length) {
      readBuffer = new byte[size];
    }
    in.readFully(readBuffer, 0, size);
    return ByteBuffer.wrap(readBuffer, 0, 4).getInt();
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), 5_000);
    socket.setSoTimeout(readTimeoutMs);
    out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    InputStream raw = socket.getInputStream();
    in = new DataInputStream(new BufferedInputStream(raw, 64 * 1024));
    stats.connections++;
  }

  private void disconnect() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // gone either way
      }
      socket = null;
    }
  }

  @Override
  public void close() {
    disconnect();
  }
}
