package dev.ferry.security.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.security.ListenerSettings;
import dev.ferry.security.TestCertificates;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The TLS transport's write coalescing, seen from the wire: a fetch-shaped response (many small
 * header buffers between file regions, then a large buffer) reaches a real TLS client byte for
 * byte, in about as many TLS records as its size needs rather than one or more per buffer. A proxy
 * between the two counts the records the server sends.
 */
class SslTransportLayerTest {

  private static final int REGIONS = 50;
  private static final int HEADER = 61;
  private static final int REGION = 3_000;
  private static final int LARGE = 100_000;

  @TempDir Path dir;

  /** Each engine Ferry ships: BoringSSL's (the default) and the JDK's. */
  static List<String> engineFactories() {
    return List.of(JdkSslEngineFactory.class.getName(), OpenSslEngineFactory.class.getName());
  }

  @ParameterizedTest
  @MethodSource("engineFactories")
  void aResponseOfManyBuffersGoesOutInFullRecordsAndArrivesIntact(String engineFactory)
      throws Exception {
    ListenerSettings settings = settings(engineFactory);
    byte[] file = new byte[REGIONS * REGION];
    new Random(7).nextBytes(file);
    Path segment = dir.resolve("segment");
    Files.write(segment, file);
    byte[] large = new byte[LARGE];
    new Random(8).nextBytes(large);
    ByteBuffer expected = ByteBuffer.allocate(REGIONS * (HEADER + REGION) + LARGE + HEADER);
    for (int i = 0; i < REGIONS; i++) {
      expected.put(header(i)).put(file, i * REGION, REGION);
    }
    expected.put(large).put(header(REGIONS));

    try (ServerSocketChannel listener = listen();
        RecordCountingProxy proxy = new RecordCountingProxy();
        Selector selector = Selector.open();
        FileChannel segmentChannel = FileChannel.open(segment, StandardOpenOption.READ)) {
      proxy.start(port(listener));
      // The data is handed over before the client's socket closes (closing waits for the
      // server's close_notify, sent at the end).
      CompletableFuture<byte[]> received = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try (Socket plain = new Socket("127.0.0.1", proxy.port());
                    SSLSocket tls = tlsClient(settings, plain, proxy.port())) {
                  tls.setSoTimeout(30_000);
                  byte[] all = new byte[expected.capacity()];
                  new DataInputStream(tls.getInputStream()).readFully(all);
                  received.complete(all);
                } catch (IOException | RuntimeException e) {
                  received.completeExceptionally(e);
                }
              },
              "tls-client");
      reader.setDaemon(true);
      reader.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      ServerSide server = acceptTls(listener, selector, settings, deadline);
      SslTransportLayer transport = server.transport();
      SelectionKey key = server.key();

      for (int i = 0; i < REGIONS; i++) {
        writeFully(transport, ByteBuffer.wrap(header(i)), selector, key, deadline);
        long done = 0;
        while (done < REGION) {
          long n = transport.transferFrom(segmentChannel, (long) i * REGION + done, REGION - done);
          done += n;
          if (n == 0) {
            flushFully(transport, selector, key, deadline);
          }
        }
      }
      writeFully(transport, ByteBuffer.wrap(large), selector, key, deadline);
      writeFully(transport, ByteBuffer.wrap(header(REGIONS)), selector, key, deadline);
      flushFully(transport, selector, key, deadline);

      assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(expected.array());
      // All the server sent before the client had the data: full records (a partial one only where
      // the socket filled up), not one or more per buffer, which would be over 2 * REGIONS. The
      // slack covers the encrypted handshake messages of TLS 1.3 (also of type 23).
      int needed = (expected.capacity() + 16_383) / 16_384;
      assertThat(proxy.applicationRecords()).isBetween(needed, needed + 8);
      transport.close();
    }
  }

  /**
   * A TLS record that has partly arrived is not "buffered" input: the selector reports the rest
   * when it comes, and until then the processor must wait on the selector rather than poll the
   * connection in a loop. The client's socket holds back all but the first bytes of its record.
   */
  @ParameterizedTest
  @MethodSource("engineFactories")
  void aPartlyArrivedRecordIsNotBufferedInputUntilItsRestArrives(String engineFactory)
      throws Exception {
    ListenerSettings settings = settings(engineFactory);
    byte[] message = new byte[10_000];
    new Random(9).nextBytes(message);

    try (ServerSocketChannel listener = listen();
        Selector selector = Selector.open()) {
      int port = port(listener);
      GatedSocket gated = new GatedSocket();
      CompletableFuture<SSLSocket> connected = new CompletableFuture<>();
      Thread connector =
          new Thread(
              () -> {
                try {
                  gated.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                  connected.complete(tlsClient(settings, gated, port));
                } catch (IOException | RuntimeException e) {
                  connected.completeExceptionally(e);
                }
              },
              "tls-client");
      connector.setDaemon(true);
      connector.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      ServerSide server = acceptTls(listener, selector, settings, deadline);
      SslTransportLayer transport = server.transport();
      SelectionKey key = server.key();
      key.interestOps(SelectionKey.OP_READ);
      try (SSLSocket tls = connected.get(30, TimeUnit.SECONDS)) {
        gated.holdAfter(100);
        tls.getOutputStream().write(message);
        tls.getOutputStream().flush();

        ByteBuffer dst = ByteBuffer.allocate(64 * 1024);
        // The first 100 bytes of the record arrive; the client holds back the rest.
        while (selector.select(100) == 0) {
          assertThat(System.nanoTime()).as("time left").isLessThan(deadline);
        }
        selector.selectedKeys().clear();
        assertThat(transport.read(dst)).isZero();
        assertThat(transport.hasBufferedReads()).isFalse();

        gated.release();
        while (dst.position() < message.length) {
          if (transport.read(dst) == 0) {
            await(selector, deadline);
          }
        }
        assertThat(Arrays.copyOf(dst.array(), dst.position())).isEqualTo(message);
        assertThat(transport.hasBufferedReads()).isFalse();
      }
      transport.close();
    }
  }

  /**
   * A listener's settings with the broker's certificate and the test trust store, its engines from
   * {@code engineFactory} (skipped where BoringSSL's native library does not load).
   */
  private static ListenerSettings settings(String engineFactory) {
    assumeTrue(
        !engineFactory.equals(OpenSslEngineFactory.class.getName())
            || OpenSslEngineFactory.unavailabilityCause().isEmpty(),
        "BoringSSL's native library does not load on this platform");
    Map<String, String> values = new HashMap<>();
    values.put("ssl.keystore.location", TestCertificates.keystore("broker").toString());
    values.put("ssl.keystore.type", "PKCS12");
    values.put("ssl.keystore.password", TestCertificates.PASSWORD);
    values.put("ssl.key.password", TestCertificates.PASSWORD);
    values.put("ssl.truststore.location", TestCertificates.truststore().toString());
    values.put("ssl.truststore.type", "PKCS12");
    values.put("ssl.truststore.password", TestCertificates.PASSWORD);
    values.put("ssl.engine.factory.class", engineFactory);
    return new ListenerSettings("SSL", values);
  }

  private static ServerSocketChannel listen() throws IOException {
    ServerSocketChannel listener = ServerSocketChannel.open();
    listener.bind(new InetSocketAddress("127.0.0.1", 0));
    return listener;
  }

  private static int port(ServerSocketChannel listener) throws IOException {
    return ((InetSocketAddress) listener.getLocalAddress()).getPort();
  }

  /** The server's end of one accepted connection, handshake done. */
  private record ServerSide(SslTransportLayer transport, SelectionKey key) {}

  /** Accepts one connection and runs the server's side of its handshake with the listener's TLS. */
  private static ServerSide acceptTls(
      ServerSocketChannel listener, Selector selector, ListenerSettings settings, long deadline)
      throws IOException {
    SocketChannel socket = listener.accept();
    socket.configureBlocking(false);
    SelectionKey key = socket.register(selector, SelectionKey.OP_READ);
    SslTransportLayer transport =
        new SslTransportLayer(
            socket, SslFactory.create(settings, true).createServerEngine("127.0.0.1", 0));
    while (!transport.handshake()) {
      key.interestOps(transport.handshakeInterestOps());
      await(selector, deadline);
    }
    return new ServerSide(transport, key);
  }

  /**
   * The JDK's TLS over {@code plain} (a real client: a blocking socket, as Kafka's clients see a
   * broker), trusting the listener's trust store; handshake done.
   */
  private static SSLSocket tlsClient(ListenerSettings settings, Socket plain, int port)
      throws IOException {
    JdkSslEngineFactory jdk = new JdkSslEngineFactory();
    jdk.configure(SslEngineConfigs.of(settings));
    SSLSocket tls =
        (SSLSocket)
            jdk.sslContext().getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
    tls.startHandshake();
    return tls;
  }

  /** A client socket whose output can be held back after a given number of bytes. */
  private static final class GatedSocket extends Socket {
    private final Object lock = new Object();
    private long allowance = Long.MAX_VALUE;
    private final java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
    private OutputStream out;

    void holdAfter(long bytes) {
      synchronized (lock) {
        allowance = bytes;
      }
    }

    void release() throws IOException {
      synchronized (lock) {
        allowance = Long.MAX_VALUE;
        held.writeTo(super.getOutputStream());
        held.reset();
        super.getOutputStream().flush();
      }
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      if (out == null) {
        OutputStream raw = super.getOutputStream();
        out =
            new OutputStream() {
              @Override
              public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
              }

              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                synchronized (lock) {
                  int now = (int) Math.min(len, allowance);
                  raw.write(b, off, now);
                  allowance -= now;
                  held.write(b, off + now, len - now);
                }
              }

              @Override
              public void flush() throws IOException {
                raw.flush();
              }
            };
      }
      return out;
    }
  }

  private static byte[] header(int i) {
    byte[] h = new byte[HEADER];
    for (int b = 0; b < HEADER; b++) {
      h[b] = (byte) (i * 31 + b);
    }
    return h;
  }

  private static void writeFully(
      SslTransportLayer transport,
      ByteBuffer src,
      Selector selector,
      SelectionKey key,
      long deadline)
      throws IOException {
    while (src.hasRemaining()) {
      if (transport.write(src) == 0) {
        flushFully(transport, selector, key, deadline);
      }
    }
  }

  private static void flushFully(
      SslTransportLayer transport, Selector selector, SelectionKey key, long deadline)
      throws IOException {
    while (!transport.flushPending()) {
      key.interestOps(SelectionKey.OP_WRITE);
      await(selector, deadline);
    }
    key.interestOps(SelectionKey.OP_READ);
  }

  private static void await(Selector selector, long deadline) throws IOException {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    assertThat(left).as("time left").isPositive();
    selector.select(Math.max(1, Math.min(left, 100)));
    selector.selectedKeys().clear();
  }

  /**
   * Forwards bytes both ways and counts the server's TLS records of type application_data (23),
   * parsing the 5-byte record headers of the server-to-client stream.
   */
  private static final class RecordCountingProxy implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger applicationRecords = new AtomicInteger();
    private volatile Socket toClient;
    private volatile Socket toServer;

    RecordCountingProxy() throws IOException {
      socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    }

    int port() {
      return socket.getLocalPort();
    }

    void start(int serverPort) {
      Thread t =
          new Thread(
              () -> {
                try {
                  toClient = socket.accept();
                  toServer = new Socket("127.0.0.1", serverPort);
                  Thread up = pump(toClient.getInputStream(), toServer.getOutputStream(), false);
                  Thread down = pump(toServer.getInputStream(), toClient.getOutputStream(), true);
                  up.join();
                  down.join();
                } catch (IOException | InterruptedException e) {
                  // The test fails on the client's side.
                }
              },
              "tls-proxy");
      t.setDaemon(true);
      t.start();
    }

    private Thread pump(InputStream in, OutputStream out, boolean count) {
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[65_536];
                int headerLeft = 5;
                int bodyLeft = 0;
                int type = 0;
                int length = 0;
                try {
                  int n;
                  while ((n = in.read(buf)) > 0) {
                    for (int i = 0; count && i < n; ) {
                      if (bodyLeft > 0) {
                        int skip = Math.min(bodyLeft, n - i);
                        bodyLeft -= skip;
                        i += skip;
                        continue;
                      }
                      int b = buf[i++] & 0xff;
                      switch (5 - headerLeft) {
                        case 0 -> type = b;
                        case 3 -> length = b << 8;
                        case 4 -> length |= b;
                        default -> {}
                      }
                      if (--headerLeft == 0) {
                        headerLeft = 5;
                        bodyLeft = length;
                        if (type == 23) {
                          applicationRecords.incrementAndGet();
                        }
                      }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                  }
                } catch (IOException e) {
                  // Closed.
                }
              },
              "tls-proxy-pump");
      t.setDaemon(true);
      t.start();
      return t;
    }

    int applicationRecords() {
      return applicationRecords.get();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      if (toClient != null) {
        toClient.close();
      }
      if (toServer != null) {
        toServer.close();
      }
    }
  }
}
