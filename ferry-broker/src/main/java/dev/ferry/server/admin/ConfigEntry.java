package dev.ferry.server.admin;

import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/** One described config value, where it came from and its declared type. */
public record ConfigEntry(String name, String value, ConfigSource source, ConfigType type) {

  /** An entry whose type is not declared (reported as UNKNOWN). */
  public ConfigEntry(String name, String value, ConfigSource source) {
    this(name, value, source, ConfigType.UNKNOWN);
  }
}
