package dev.ferry.security;

import dev.ferry.replication.BrokerSocket;
import dev.ferry.security.ssl.SslTransportLayer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;

/**
 * TLS to another broker for the blocking inter-broker client, with whatever {@link SSLEngine} the
 * listener's {@code ssl.engine.factory.class} makes (BoringSSL's by default), so replication
 * encrypts with the same engine as the listeners. The engine runs in the listeners' {@link
 * SslTransportLayer} over a non-blocking socket; a selector of its own makes each call block, and
 * each wait for the socket (connect, a handshake step, a read, a write) lasts at most the timeout,
 * as a socket's read timeout does.
 *
 * <p>Used by one thread at a time. {@link #close()} may come from another thread (a fetcher being
 * stopped): if a call is under way it only closes the socket and wakes the selector, and the call
 * fails; otherwise it also sends close_notify.
 */
final class TlsBrokerSocket implements BrokerSocket {

  private final SocketChannel channel;
  private final Selector selector;
  private final SelectionKey key;
  private final SslTransportLayer transport;
  private final long timeoutNanos;

  /** Held by the thread in a call; lets {@link #close()} tell whether one is under way. */
  private final ReentrantLock inCall = new ReentrantLock();

  private final AtomicBoolean closed = new AtomicBoolean();
  private final InputStream input = new Input();
  private final OutputStream output = new Output();

  private TlsBrokerSocket(SocketChannel channel, Selector selector, SSLEngine engine, int timeoutMs)
      throws IOException {
    this.channel = channel;
    this.selector = selector;
    this.key = channel.register(selector, 0);
    this.transport = new SslTransportLayer(channel, engine);
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
  }

  /**
   * Connects to {@code host:port} and runs the TLS handshake with {@code engine} (a client engine).
   *
   * @throws SocketTimeoutException if the connection or a handshake step waits longer than {@code
   *     timeoutMs}
   */
  static TlsBrokerSocket connect(String host, int port, int timeoutMs, SSLEngine engine)
      throws IOException {
    SocketChannel channel = SocketChannel.open();
    Selector selector = null;
    try {
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      selector = Selector.open();
      TlsBrokerSocket socket = new TlsBrokerSocket(channel, selector, engine, timeoutMs);
      socket.connectAndHandshake(new InetSocketAddress(host, port));
      return socket;
    } catch (IOException | RuntimeException e) {
      if (selector != null) {
        selector.close();
      }
      channel.close();
      throw e;
    }
  }

  private void connectAndHandshake(InetSocketAddress address) throws IOException {
    if (!channel.connect(address)) {
      long deadline = deadline();
      while (!channel.finishConnect()) {
        await(SelectionKey.OP_CONNECT, deadline, "Connect");
      }
    }
    long deadline = deadline();
    while (!transport.handshake()) {
      await(transport.handshakeInterestOps(), deadline, "TLS handshake");
      deadline = deadline();
    }
  }

  @Override
  public InputStream input() {
    return input;
  }

  @Override
  public OutputStream output() {
    return output;
  }

  @Override
  public SocketAddress remoteAddress() {
    try {
      return channel.getRemoteAddress();
    } catch (IOException e) {
      return null;
    }
  }

  private long deadline() {
    return System.nanoTime() + timeoutNanos;
  }

  /**
   * Waits until the socket is ready for {@code ops} (or a spurious wake-up), up to the deadline.
   */
  private void await(int ops, long deadline, String what) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException(
          what + " timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
    }
    if (closed.get()) {
      throw new SocketException("Socket closed");
    }
    key.interestOps(ops);
    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    selector.selectedKeys().clear();
    if (closed.get()) {
      throw new SocketException("Socket closed");
    }
  }

  private void enter() throws IOException {
    inCall.lock();
    if (closed.get()) {
      leave();
      throw new SocketException("Socket closed");
    }
  }

  /** Ends a call; frees the selector if the socket was closed meanwhile by another thread. */
  private void leave() {
    inCall.unlock();
    if (closed.get()) {
      closeSelector();
    }
  }

  /**
   * A close from another thread can land between our check and the channel call, which then fails
   * with the NIO exception; callers expect what a closed {@link java.net.Socket} throws.
   */
  private static SocketException socketClosed(ClosedChannelException cause) {
    SocketException e = new SocketException("Socket closed");
    e.initCause(cause);
    return e;
  }

  private synchronized void closeSelector() {
    try {
      selector.close();
    } catch (IOException e) {
      // Nothing more to free.
    }
  }

  private synchronized void wakeSelector() {
    if (selector.isOpen()) {
      selector.wakeup();
    }
  }

  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (inCall.tryLock()) {
      try {
        transport.close();
      } finally {
        inCall.unlock();
        closeSelector();
      }
    } else {
      // The thread in a call wakes up, fails, and frees the selector on its way out.
      channel.close();
      wakeSelector();
    }
  }

  private final class Input extends InputStream {
    private final byte[] one = new byte[1];

    @Override
    public int read() throws IOException {
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      ByteBuffer dst = ByteBuffer.wrap(b, off, len);
      enter();
      try {
        long deadline = deadline();
        while (true) {
          int n = transport.read(dst);
          if (n != 0) {
            return n;
          }
          await(SelectionKey.OP_READ, deadline, "Read");
        }
      } catch (ClosedChannelException e) {
        throw socketClosed(e);
      } finally {
        leave();
      }
    }
  }

  private final class Output extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer src = ByteBuffer.wrap(b, off, len);
      enter();
      try {
        long deadline = deadline();
        while (src.hasRemaining()) {
          if (transport.write(src) > 0) {
            deadline = deadline();
          } else {
            await(SelectionKey.OP_WRITE, deadline, "Write");
          }
        }
      } catch (ClosedChannelException e) {
        throw socketClosed(e);
      } finally {
        leave();
      }
    }

    /** Encrypts what is staged and waits until the socket has taken all of it. */
    @Override
    public void flush() throws IOException {
      enter();
      try {
        long deadline = deadline();
        while (!transport.flushPending()) {
          await(SelectionKey.OP_WRITE, deadline, "Write");
        }
      } finally {
        leave();
      }
    }
  }
}
