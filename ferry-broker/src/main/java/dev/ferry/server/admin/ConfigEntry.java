package dev.ferry.server.admin;

import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/** One described config value and where it came from. */
public record ConfigEntry(String name, String value, ConfigSource source) {}
