package dev.ferry.coordinator.group;

import java.util.Locale;
import org.apache.kafka.common.config.ConfigException;

/**
 * {@code group.consumer.migration.policy}: whether a live group may change protocol (KIP-848's
 * online migration). An upgrade turns a classic group into a consumer-protocol group when the first
 * member with {@code group.protocol=consumer} joins it; a downgrade turns a consumer-protocol group
 * whose last consumer-protocol member leaves back into a classic group. Kafka's default is {@link
 * #BIDIRECTIONAL}.
 */
public enum ConsumerGroupMigrationPolicy {
  BIDIRECTIONAL(true, true),
  UPGRADE(true, false),
  DOWNGRADE(false, true),
  DISABLED(false, false);

  public static final String CONFIG = "group.consumer.migration.policy";

  private final boolean upgrade;
  private final boolean downgrade;

  ConsumerGroupMigrationPolicy(boolean upgrade, boolean downgrade) {
    this.upgrade = upgrade;
    this.downgrade = downgrade;
  }

  public boolean upgradeEnabled() {
    return upgrade;
  }

  public boolean downgradeEnabled() {
    return downgrade;
  }

  /** The config value, as Kafka spells it (lower case). */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a config value case-insensitively, as Kafka does. */
  public static ConsumerGroupMigrationPolicy parse(String value) {
    for (ConsumerGroupMigrationPolicy p : values()) {
      if (p.toString().equalsIgnoreCase(value.trim())) {
        return p;
      }
    }
    throw new ConfigException(CONFIG, value, "one of bidirectional, upgrade, downgrade, disabled");
  }
}
