package dev.ferry.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLSession;

/**
 * The socket as it is. Buffers are written with gathering writes; file regions (records of a fetch
 * served from a log segment) go from the page cache to the socket with {@link
 * FileChannel#transferTo}, which is {@code sendfile} on Linux: no copy through the heap.
 */
public final class PlaintextTransportLayer implements TransportLayer {

  private final SocketChannel socket;

  public PlaintextTransportLayer(SocketChannel socket) {
    this.socket = socket;
  }

  @Override
  public boolean handshake() {
    return true;
  }

  @Override
  public boolean ready() {
    return true;
  }

  @Override
  public int handshakeInterestOps() {
    return SelectionKey.OP_READ;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return socket.read(dst);
  }

  @Override
  public boolean hasBufferedReads() {
    return false;
  }

  @Override
  public boolean flushPending() {
    return true;
  }

  @Override
  public SSLSession sslSession() {
    return null;
  }

  @Override
  public SocketChannel socketChannel() {
    return socket;
  }

  @Override
  public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
    return fileChannel.transferTo(position, count, socket);
  }

  /** Plaintext has no buffered bytes of its own. */
  @Override
  public boolean hasPendingWrites() {
    return false;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    return socket.write(srcs, offset, length);
  }

  @Override
  public long write(ByteBuffer[] srcs) throws IOException {
    return socket.write(srcs);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return socket.write(src);
  }

  @Override
  public boolean isOpen() {
    return socket.isOpen();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
