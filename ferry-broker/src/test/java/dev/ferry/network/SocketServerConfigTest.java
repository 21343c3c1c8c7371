package dev.ferry.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SocketServerConfigTest {

  private static final RequestDispatcher NEVER = request -> new CompletableFuture<>();

  @Test
  void defaultsAreKafkas() {
    SocketServerConfig config = SocketServerConfig.defaults("127.0.0.1", 9092);
    assertThat(config.networkThreads()).isEqualTo(3);
    assertThat(config.maxRequestBytes()).isEqualTo(104_857_600);
    assertThat(config.connectionsMaxIdleMs()).isEqualTo(600_000L);
    assertThat(config.sendBufferBytes()).isEqualTo(102_400);
    assertThat(config.receiveBufferBytes()).isEqualTo(102_400);
    assertThat(config.maxConnections()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void invalidSettingsAreRejectedWithTheirKafkaName() {
    assertThatThrownBy(() -> new SocketServerConfig("h", 0, 0, 1, 1, -1, -1, 1))
        .hasMessageContaining("num.network.threads");
    assertThatThrownBy(() -> new SocketServerConfig("h", 0, 1, 0, 1, -1, -1, 1))
        .hasMessageContaining("socket.request.max.bytes");
    assertThatThrownBy(() -> new SocketServerConfig("h", 0, 1, 1, 0, -1, -1, 1))
        .hasMessageContaining("connections.max.idle.ms");
    assertThatThrownBy(() -> new SocketServerConfig("h", 0, 1, 1, 1, -1, -1, 0))
        .hasMessageContaining("max.connections");
    assertThatThrownBy(() -> new SocketServerConfig("h", 70_000, 1, 1, 1, -1, -1, 1))
        .hasMessageContaining("port");
    assertThatThrownBy(() -> new ConnectionLimits(0, 1)).hasMessageContaining("maxInFlight");
  }

  @Test
  void startFailsCleanlyWhenThePortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      SocketServerConfig config =
          new SocketServerConfig("127.0.0.1", taken.getLocalPort(), 1, 1024, 1000, -1, -1, 10);
      SocketServer server = new SocketServer(config, NEVER);
      assertThatThrownBy(server::start)
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
      assertThatThrownBy(server::boundPort).isInstanceOf(IllegalStateException.class);
      server.close();
      assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void emptyHostBindsEveryInterface() {
    try (SocketServer server =
        new SocketServer(new SocketServerConfig("", 0, 1, 1024, 1000, -1, -1, 10), NEVER)) {
      server.start();
      assertThat(server.boundPort()).isPositive();
    }
  }
}
