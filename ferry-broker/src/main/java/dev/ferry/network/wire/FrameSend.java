package dev.ferry.network.wire;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * A whole response frame in one heap buffer. Unlike kafka-clients' sends it shows its buffer, so a
 * connection can write several pipelined responses with one gathering write.
 */
public final class FrameSend implements Send {

  private final ByteBuffer buffer;
  private final long size;
  private boolean pending;

  /** {@code buffer} from its position to its limit: the size prefix and the response. */
  public FrameSend(ByteBuffer buffer) {
    this.buffer = buffer;
    this.size = buffer.remaining();
  }

  /** The bytes still to write; a gathering writer advances its position. */
  public ByteBuffer buffer() {
    return buffer;
  }

  /**
   * Notes, after a gathering write took some of this frame, whether the channel still holds bytes
   * of it (a TLS transport's last partial record).
   */
  public void written(TransferableChannel channel) {
    pending = channel.hasPendingWrites();
  }

  @Override
  public boolean completed() {
    return !buffer.hasRemaining() && !pending;
  }

  @Override
  public long writeTo(TransferableChannel channel) throws IOException {
    long written = channel.write(buffer);
    if (written < 0) {
      throw new EOFException("wrote to a closed channel");
    }
    pending = channel.hasPendingWrites();
    return written;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public String toString() {
    return "FrameSend(size=" + size + ", remaining=" + buffer.remaining() + ")";
  }
}
