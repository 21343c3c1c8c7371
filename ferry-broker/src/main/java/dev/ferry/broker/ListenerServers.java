package dev.ferry.broker;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metrics.BrokerMetrics;
import dev.ferry.network.ConnectionLimits;
import dev.ferry.network.RequestDispatcher;
import dev.ferry.network.SocketServer;
import dev.ferry.network.SocketServerConfig;
import dev.ferry.security.BrokerSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Starts one {@link SocketServer} per configured listener (each with its own security protocol's
 * channels) and works out the endpoints the broker registers: the advertised listener's address, or
 * the bound one where the listener asked for port 0. Split from {@link FerryBroker}.
 */
final class ListenerServers {

  private ListenerServers() {}

  /**
   * Binds every listener's socket, first thing in a broker's start: clients connecting while the
   * broker starts wait in the accept backlog until {@link #start} serves them (see {@link
   * SocketServer#bind()}). Each socket is pushed onto {@code started} (closing it again after its
   * server has is harmless).
   *
   * @return the bound sockets by listener name
   */
  static Map<String, ServerSocketChannel> bind(BrokerConfig config, Deque<AutoCloseable> started) {
    Map<String, ServerSocketChannel> bound = new LinkedHashMap<>();
    for (BrokerConfig.Listener listener : config.listeners) {
      ServerSocketChannel channel = SocketServer.listen(serverConfig(config, listener));
      started.push(channel);
      bound.put(listener.name(), channel);
    }
    return bound;
  }

  /** The port {@code channel} is bound to. */
  static int port(ServerSocketChannel channel) {
    try {
      return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SocketServerConfig serverConfig(
      BrokerConfig config, BrokerConfig.Listener listener) {
    return new SocketServerConfig(
        listener.host(),
        listener.port(),
        config.numNetworkThreads,
        config.socketRequestMaxBytes,
        config.connectionsMaxIdleMs,
        config.socketSendBufferBytes,
        config.socketReceiveBufferBytes,
        config.maxConnections);
  }

  /**
   * Starts the servers on the sockets {@link #bind} opened (a listener missing from {@code bound}
   * binds now), pushing each onto {@code started} (the broker stops them in reverse) and putting it
   * into {@code servers} by listener name.
   *
   * @return the endpoint to register for each listener, by listener name
   */
  static Map<String, BrokerInfo.Endpoint> start(
      BrokerConfig config,
      RequestDispatcher dispatcher,
      BrokerMetrics metrics,
      BrokerSecurity security,
      Deque<AutoCloseable> started,
      Map<String, SocketServer> servers,
      Map<String, ServerSocketChannel> bound) {
    Map<String, BrokerInfo.Endpoint> endpoints = new TreeMap<>();
    for (BrokerConfig.Listener listener : config.listeners) {
      SocketServer server =
          new SocketServer(
              serverConfig(config, listener),
              dispatcher,
              metrics.network(),
              ConnectionLimits.DEFAULT,
              security.channelBuilder(
                  listener.name(), listener.securityProtocol(), metrics.network()));
      ServerSocketChannel channel = bound.get(listener.name());
      if (channel != null) {
        server.adopt(channel);
      }
      server.start();
      started.push(server);
      servers.put(listener.name(), server);
      BrokerConfig.Listener advertised =
          config.advertisedListener(listener.name()).orElse(listener);
      endpoints.put(
          listener.name(),
          new BrokerInfo.Endpoint(
              advertised.host(), advertised.port() == 0 ? server.boundPort() : advertised.port()));
    }
    return endpoints;
  }
}
