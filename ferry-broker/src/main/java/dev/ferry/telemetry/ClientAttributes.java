package dev.ferry.telemetry;

import org.apache.kafka.common.Uuid;

/**
 * What a subscription's {@code match} can test about a client, fixed when its instance is first
 * seen: its instance id, client id, software name and version (from its ApiVersions request) and
 * source address and port. Unknown values are null and match no pattern.
 */
public record ClientAttributes(
    Uuid clientInstanceId,
    String clientId,
    String softwareName,
    String softwareVersion,
    String sourceAddress,
    String sourcePort) {

  /** The value of a match attribute ({@link ClientMetricsConfigs#matchAttributes()}). */
  String attribute(String name) {
    return switch (name) {
      case ClientMetricsConfigs.CLIENT_INSTANCE_ID -> clientInstanceId.toString();
      case ClientMetricsConfigs.CLIENT_ID -> clientId;
      case ClientMetricsConfigs.CLIENT_SOFTWARE_NAME -> softwareName;
      case ClientMetricsConfigs.CLIENT_SOFTWARE_VERSION -> softwareVersion;
      case ClientMetricsConfigs.CLIENT_SOURCE_ADDRESS -> sourceAddress;
      case ClientMetricsConfigs.CLIENT_SOURCE_PORT -> sourcePort;
      default -> null;
    };
  }
}
