package dev.ferry.server.telemetry;

import dev.ferry.network.NetworkRequest;
import dev.ferry.telemetry.ClientAttributes;
import dev.ferry.telemetry.ClientSoftware;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;

/** The client attributes of a telemetry request, for subscription matching. */
final class TelemetryRequests {

  private TelemetryRequests() {}

  static Function<Uuid, ClientAttributes> attributes(
      NetworkRequest request, ClientSoftware software) {
    return id -> {
      ClientSoftware.Info info = software.of(request.connectionId());
      return new ClientAttributes(
          id,
          request.header().clientId(),
          info.name(),
          info.version(),
          request.clientAddress() == null ? null : request.clientAddress().getHostAddress(),
          remotePort(request.connectionId()));
    };
  }

  /** The client's port from a connection id {@code local:port-remote:port-processor-sequence}. */
  static String remotePort(String connectionId) {
    String[] parts = connectionId.split("-");
    if (parts.length < 2) {
      return null;
    }
    int colon = parts[1].lastIndexOf(':');
    return colon < 0 ? null : parts[1].substring(colon + 1);
  }
}
