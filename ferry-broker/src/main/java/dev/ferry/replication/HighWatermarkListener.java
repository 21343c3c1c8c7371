package dev.ferry.replication;

/**
 * Told when a partition's high watermark moved forward, or when it stopped being led here (so that
 * whatever waits on it can re-check). Runs on the thread that moved it: keep it short.
 */
@FunctionalInterface
public interface HighWatermarkListener {
  void onHighWatermarkChanged(Partition partition);
}
