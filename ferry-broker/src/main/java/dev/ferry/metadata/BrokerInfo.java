package dev.ferry.metadata;

import java.util.Map;
import java.util.Optional;

/**
 * A live broker as registered in ZooKeeper. {@code rack} may be null. {@code host}/{@code port} is
 * its inter-broker endpoint (what replica fetchers connect to); {@code endpoints} maps each of its
 * listener names to the endpoint advertised to clients of that listener.
 */
public record BrokerInfo(
    int id, String host, int port, String rack, Map<String, Endpoint> endpoints) {

  /** An advertised {@code host:port}. */
  public record Endpoint(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public BrokerInfo {
    endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
  }

  /** A broker with one (unnamed) listener. */
  public BrokerInfo(int id, String host, int port, String rack) {
    this(id, host, port, rack, Map.of());
  }

  /**
   * The endpoint of {@code listenerName}; brokers registered without named listeners answer with
   * their one endpoint.
   */
  public Optional<Endpoint> endpoint(String listenerName) {
    if (endpoints.isEmpty()) {
      return Optional.of(new Endpoint(host, port));
    }
    return Optional.ofNullable(endpoints.get(listenerName));
  }
}
