package dev.ferry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.security.ssl.JdkSslEngineFactory;
import dev.ferry.security.ssl.OpenSslEngineFactory;
import dev.ferry.security.ssl.SslFactory;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The inter-broker client's TLS with each engine Ferry ships, against the JDK's TLS on the other
 * end: data both ways byte for byte, the read timeout, a close from another thread, and host name
 * verification.
 */
class TlsBrokerSocketTest {

  private static final int TIMEOUT_MS = 10_000;

  private SSLServerSocket server;
  private final CountDownLatch release = new CountDownLatch(1);

  static List<String> engineFactories() {
    return List.of(JdkSslEngineFactory.class.getName(), OpenSslEngineFactory.class.getName());
  }

  @AfterEach
  void stop() throws IOException {
    release.countDown();
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest
  @MethodSource("engineFactories")
  void echoesLargeMessagesByteForByteThroughTheConfiguredEngine(String engineFactory)
      throws Exception {
    SslFactory client = clientFactory(engineFactory);
    int port = startServer(this::echo);
    SSLEngine engine = client.createClientEngine("127.0.0.1", port);
    assertThat(engine.getClass().getName())
        .startsWith(
            engineFactory.equals(OpenSslEngineFactory.class.getName())
                ? "io.netty.handler.ssl."
                : "sun.security.ssl.");
    byte[] message = new byte[60_000];
    new Random(11).nextBytes(message);
    try (TlsBrokerSocket socket = TlsBrokerSocket.connect("127.0.0.1", port, TIMEOUT_MS, engine)) {
      for (int round = 0; round < 2; round++) {
        socket.output().write(message);
        socket.output().flush();
        byte[] back = new byte[message.length];
        new DataInputStream(socket.input()).readFully(back);
        assertThat(back).isEqualTo(message);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("engineFactories")
  void aReadWaitsAtMostTheTimeout(String engineFactory) throws Exception {
    SslFactory client = clientFactory(engineFactory);
    int port = startServer(this::holdOpen);
    try (TlsBrokerSocket socket =
        TlsBrokerSocket.connect(
            "127.0.0.1", port, 300, client.createClientEngine("127.0.0.1", port))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> socket.input().read(new byte[10]))
          .isInstanceOf(SocketTimeoutException.class);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 5_000L);
    }
  }

  @ParameterizedTest
  @MethodSource("engineFactories")
  void aCloseFromAnotherThreadEndsABlockedRead(String engineFactory) throws Exception {
    SslFactory client = clientFactory(engineFactory);
    int port = startServer(this::holdOpen);
    TlsBrokerSocket socket =
        TlsBrokerSocket.connect(
            "127.0.0.1", port, TIMEOUT_MS, client.createClientEngine("127.0.0.1", port));
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    CountDownLatch reading = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try {
                reading.countDown();
                socket.input().read(new byte[10]);
                failure.complete(null);
              } catch (IOException e) {
                failure.complete(e);
              }
            },
            "blocked-reader");
    reader.setDaemon(true);
    reader.start();
    assertThat(reading.await(TIMEOUT_MS, TimeUnit.MILLISECONDS)).isTrue();
    // Bounded: the read fails once the socket is closed, whether it was already blocked or not.
    long start = System.nanoTime();
    socket.close();
    assertThat(failure.get(TIMEOUT_MS, TimeUnit.MILLISECONDS)).isInstanceOf(SocketException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(TIMEOUT_MS);
  }

  @ParameterizedTest
  @MethodSource("engineFactories")
  void aServerWhoseCertificateDoesNotNameTheHostIsRefused(String engineFactory) throws Exception {
    SslFactory client = clientFactory(engineFactory);
    int port = startServer(this::holdOpen);
    // The broker's certificate names 127.0.0.1 and localhost only.
    SSLEngine engine = client.createClientEngine("broker.example.com", port);
    assertThatThrownBy(() -> TlsBrokerSocket.connect("127.0.0.1", port, TIMEOUT_MS, engine))
        .isInstanceOf(SSLHandshakeException.class);
  }

  /** The inter-broker client's TLS, its engines from {@code engineFactory}. */
  private static SslFactory clientFactory(String engineFactory) {
    assumeTrue(
        !engineFactory.equals(OpenSslEngineFactory.class.getName())
            || OpenSslEngineFactory.unavailabilityCause().isEmpty(),
        "BoringSSL's native library does not load on this platform");
    Map<String, String> values = new HashMap<>();
    values.put("ssl.truststore.location", TestCertificates.truststore().toString());
    values.put("ssl.truststore.type", "PKCS12");
    values.put("ssl.truststore.password", TestCertificates.PASSWORD);
    values.put("ssl.engine.factory.class", engineFactory);
    return SslFactory.create(new ListenerSettings("SSL", values), false);
  }

  private interface Session {
    void run(SSLSocket socket) throws IOException, InterruptedException;
  }

  /** A JDK TLS server with the broker's certificate, serving one connection on a thread. */
  private int startServer(Session session) throws Exception {
    JdkSslEngineFactory jdk = new JdkSslEngineFactory();
    Map<String, Object> configs = new HashMap<>();
    configs.put("ssl.keystore.location", TestCertificates.keystore("broker").toString());
    configs.put("ssl.keystore.type", "PKCS12");
    configs.put("ssl.keystore.password", TestCertificates.PASSWORD);
    configs.put("ssl.key.password", TestCertificates.PASSWORD);
    jdk.configure(configs);
    server =
        (SSLServerSocket)
            jdk.sslContext()
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              try (SSLSocket socket = (SSLSocket) server.accept()) {
                socket.setSoTimeout(TIMEOUT_MS);
                session.run(socket);
              } catch (IOException | InterruptedException e) {
                // The test fails on the client's side.
              }
            },
            "tls-server");
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  private void echo(SSLSocket socket) throws IOException {
    InputStream in = socket.getInputStream();
    OutputStream out = socket.getOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) > 0) {
      out.write(buf, 0, n);
      out.flush();
    }
  }

  /** Completes the handshake, then sends nothing until the test ends. */
  private void holdOpen(SSLSocket socket) throws IOException, InterruptedException {
    socket.startHandshake();
    release.await(TIMEOUT_MS * 3L, TimeUnit.MILLISECONDS);
  }
}
