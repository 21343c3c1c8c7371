package dev.ferry.storage;

/**
 * The answer to OffsetForLeaderEpoch: the largest epoch at or below the requested one that this log
 * knows, and the offset where that epoch ended (the start of the next epoch, or the log end offset
 * for the latest epoch). {@code (-1, -1)} when the log knows no such epoch.
 */
public record EpochEndOffset(int leaderEpoch, long endOffset) {

  public static final EpochEndOffset UNDEFINED = new EpochEndOffset(-1, -1L);
}
