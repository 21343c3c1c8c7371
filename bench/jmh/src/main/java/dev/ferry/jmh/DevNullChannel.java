package dev.ferry.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * The sink a fetch response's records are sent to, as the broker's socket channel would be, but
 * writing to {@code /dev/null}: {@code FileChannel.transferTo} becomes a {@code sendfile(2)} whose
 * target discards the pages, so what is measured is the zero-copy call itself (system call, page
 * cache lookups) without the network stack's own copy.
 */
public final class DevNullChannel implements TransferableChannel {

  private final FileChannel devNull;

  public DevNullChannel() throws IOException {
    devNull = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
  }

  @Override
  public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
    return fileChannel.transferTo(position, count, devNull);
  }

  @Override
  public boolean hasPendingWrites() {
    return false;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    return devNull.write(srcs, offset, length);
  }

  @Override
  public long write(ByteBuffer[] srcs) throws IOException {
    return devNull.write(srcs);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return devNull.write(src);
  }

  @Override
  public boolean isOpen() {
    return devNull.isOpen();
  }

  @Override
  public void close() throws IOException {
    devNull.close();
  }
}
