package dev.ferry.replication;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * A connected byte stream to another broker's inter-broker listener, for a blocking client: its
 * reads wait at most the timeout it was connected with, then throw {@link
 * java.net.SocketTimeoutException}. Used by one thread at a time; {@link #close()} may come from
 * another, and makes a read or write blocked in it fail.
 */
public interface BrokerSocket extends Closeable {

  InputStream input() throws IOException;

  OutputStream output() throws IOException;

  SocketAddress remoteAddress();

  /** A plain {@link Socket} (its read timeout already set). */
  static BrokerSocket of(Socket socket) {
    return new BrokerSocket() {
      @Override
      public InputStream input() throws IOException {
        return socket.getInputStream();
      }

      @Override
      public OutputStream output() throws IOException {
        return socket.getOutputStream();
      }

      @Override
      public SocketAddress remoteAddress() {
        return socket.getRemoteSocketAddress();
      }

      @Override
      public void close() throws IOException {
        socket.close();
      }
    };
  }
}
