package dev.ferry.server.admin;

import java.util.List;

/**
 * The configs of this broker as DescribeConfigs shows them: each with the value in force, where it
 * comes from, whether it may change without a restart, and its synonyms (the values of the lower
 * precedence levels, highest first). Kept behind an interface so this package does not depend on
 * the broker assembly.
 */
public interface BrokerConfigSource {

  /** One broker config as described. */
  record Entry(
      ConfigEntry value, boolean readOnly, boolean sensitive, List<ConfigEntry> synonyms) {}

  /**
   * Every config the broker knows, or only those named in {@code keys} (null or empty: all). With
   * {@code clusterDefault} (the BROKER resource named ""), only the cluster-wide dynamic defaults,
   * as Kafka lists them.
   */
  List<Entry> describe(List<String> keys, boolean clusterDefault);
}
