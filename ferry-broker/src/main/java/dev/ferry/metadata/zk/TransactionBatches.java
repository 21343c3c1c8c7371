package dev.ferry.metadata.zk;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Splits a long run of ZooKeeper operations into transactions small enough for one ZooKeeper
 * packet. A server drops the connection of a client whose request exceeds {@code jute.maxbuffer} (1
 * MiB by default, and an operator's standalone ZooKeeper may not be told otherwise): one
 * transaction with the two znodes of each of 10,000 partitions is ~2.5 MB, so such a topic could
 * not be created at all. The sizes are estimates, so the budget stays well under the limit.
 */
final class TransactionBatches {

  /** Bytes of requests per transaction: half of ZooKeeper's default jute.maxbuffer. */
  static final int DEFAULT_BUDGET_BYTES = 512 * 1024;

  /**
   * What one operation costs in a multi request besides its path and data: the multi header (type,
   * done flag, error), length prefixes, the create flags and the open ACL.
   */
  static final int OP_OVERHEAD_BYTES = 64;

  private TransactionBatches() {}

  /** Estimated request bytes of one operation on {@code path} carrying {@code data}. */
  static int opBytes(String path, byte[] data) {
    return OP_OVERHEAD_BYTES + path.length() + (data == null ? 0 : data.length);
  }

  /**
   * Consecutive groups of {@code items} in their order, each at most {@code budget} estimated
   * bytes, the first at most {@code firstBudget} (it shares its transaction with other operations).
   * An item larger than a budget gets a group of its own. Never returns an empty list: with no
   * items, one empty group, so the first transaction still happens.
   */
  static <T> List<List<T>> split(
      List<T> items, ToIntFunction<T> bytes, int firstBudget, int budget) {
    List<List<T>> groups = new ArrayList<>();
    List<T> current = new ArrayList<>();
    long used = 0;
    int limit = firstBudget;
    for (T item : items) {
      int size = bytes.applyAsInt(item);
      if (!current.isEmpty() && used + size > limit) {
        groups.add(current);
        current = new ArrayList<>();
        used = 0;
        limit = budget;
      } else if (current.isEmpty() && groups.isEmpty() && size > limit && limit < budget) {
        // The first transaction has no room even for one: it carries the head operations alone.
        groups.add(current);
        current = new ArrayList<>();
        limit = budget;
      }
      current.add(item);
      used += size;
    }
    groups.add(current);
    return groups;
  }
}
