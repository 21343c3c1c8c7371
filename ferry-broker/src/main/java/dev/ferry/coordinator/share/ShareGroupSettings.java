package dev.ferry.coordinator.share;

import java.util.Map;

/**
 * What one share group's partitions run with: the broker's {@code group.share.*} values, overridden
 * by the group's own configs ({@code share.record.lock.duration.ms}, {@code
 * share.delivery.count.limit}, {@code share.auto.offset.reset}) where set.
 *
 * @param earliest {@code share.auto.offset.reset=earliest}: a share-partition without state starts
 *     at the log start; otherwise (Kafka's default, latest) at the high watermark
 */
public record ShareGroupSettings(
    int recordLockDurationMs, int deliveryCountLimit, int maxRecordLocks, boolean earliest) {

  public static final String GROUP_LOCK_DURATION = "share.record.lock.duration.ms";
  public static final String GROUP_DELIVERY_COUNT_LIMIT = "share.delivery.count.limit";
  public static final String GROUP_AUTO_OFFSET_RESET = "share.auto.offset.reset";

  /**
   * The settings of a group with {@code groupConfigs} on a broker configured with {@code broker}.
   */
  public static ShareGroupSettings of(ShareGroupConfig broker, Map<String, String> groupConfigs) {
    int lock = intOr(groupConfigs.get(GROUP_LOCK_DURATION), broker.recordLockDurationMs());
    int limit = intOr(groupConfigs.get(GROUP_DELIVERY_COUNT_LIMIT), broker.deliveryCountLimit());
    String reset = groupConfigs.getOrDefault(GROUP_AUTO_OFFSET_RESET, "latest");
    return new ShareGroupSettings(
        lock, limit, broker.partitionMaxRecordLocks(), "earliest".equalsIgnoreCase(reset.trim()));
  }

  private static int intOr(String v, int fallback) {
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return fallback; // validated when set; an unreadable value keeps the broker's
    }
  }
}
