package dev.ferry.broker;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metrics.BrokerMetrics;
import dev.ferry.network.ConnectionLimits;
import dev.ferry.network.RequestDispatcher;
import dev.ferry.network.SocketServer;
import dev.ferry.network.SocketServerConfig;
import dev.ferry.security.BrokerSecurity;
import java.util.Deque;
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
   * Starts the servers, pushing each onto {@code started} (the broker stops them in reverse) and
   * putting it into {@code servers} by listener name.
   *
   * @return the endpoint to register for each listener, by listener name
   */
  static Map<String, BrokerInfo.Endpoint> start(
      BrokerConfig config,
      RequestDispatcher dispatcher,
      BrokerMetrics metrics,
      BrokerSecurity security,
      Deque<AutoCloseable> started,
      Map<String, SocketServer> servers) {
    Map<String, BrokerInfo.Endpoint> endpoints = new TreeMap<>();
    for (BrokerConfig.Listener listener : config.listeners) {
      SocketServer server =
          new SocketServer(
              new SocketServerConfig(
                  listener.host(),
                  listener.port(),
                  config.numNetworkThreads,
                  config.socketRequestMaxBytes,
                  config.connectionsMaxIdleMs,
                  config.socketSendBufferBytes,
                  config.socketReceiveBufferBytes,
                  config.maxConnections),
              dispatcher,
              metrics.network(),
              ConnectionLimits.DEFAULT,
              security.channelBuilder(
                  listener.name(), listener.securityProtocol(), metrics.network()));
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
