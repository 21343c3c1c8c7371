package dev.ferry.verify;

/**
 * What a consumer saw in one partition: the record id at each offset. Offsets never seen hold
 * {@link RecordId#NONE}. The first observation of an offset is kept; a later read of the same
 * offset that shows a different record is counted as a conflict (the first record vanished).
 */
public final class PartitionHistory {

  private static final long UNSEEN = Long.MIN_VALUE;

  private final LongList byOffset = new LongList(UNSEEN);
  private long records;
  private long conflicts;

  public synchronized void observe(long offset, long id) {
    long previous = byOffset.get(offset);
    if (previous == UNSEEN) {
      byOffset.set(offset, id);
      records++;
    } else if (previous != id) {
      conflicts++;
    }
  }

  /** The id first seen at {@code offset}; {@code seen(offset)} tells whether there was one. */
  public synchronized long at(long offset) {
    long id = byOffset.get(offset);
    return id == UNSEEN ? RecordId.NONE : id;
  }

  public synchronized boolean seen(long offset) {
    return byOffset.get(offset) != UNSEEN;
  }

  /** One past the highest offset seen. */
  public synchronized long endOffset() {
    return byOffset.size();
  }

  public synchronized long records() {
    return records;
  }

  public synchronized long conflicts() {
    return conflicts;
  }
}
