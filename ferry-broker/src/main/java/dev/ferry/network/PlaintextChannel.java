package dev.ferry.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * The socket as seen by a response {@code Send}. Buffers are written with gathering writes; file
 * regions (records of a fetch served from a log segment) go from the page cache to the socket with
 * {@link FileChannel#transferTo}, which is {@code sendfile} on Linux: no copy through the heap.
 *
 * <p>The socket is non-blocking, so every method may transfer fewer bytes than asked, including
 * none; the caller retries when the selector reports the socket writable.
 */
final class PlaintextChannel implements TransferableChannel {

  private final SocketChannel socket;

  PlaintextChannel(SocketChannel socket) {
    this.socket = socket;
  }

  @Override
  public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
    return fileChannel.transferTo(position, count, socket);
  }

  /** Plaintext has no buffered bytes of its own (TLS would). */
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
