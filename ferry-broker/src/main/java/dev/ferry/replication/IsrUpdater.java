package dev.ferry.replication;

import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.PartitionStateStore;
import dev.ferry.runtime.BrokerThreads;
import java.io.Closeable;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the ISR changes that leaders decide (Kafka's AlterPartition, done directly in ZooKeeper):
 * each write is conditional on the partition epoch the leader knows, so a leader that lost its
 * leadership, or raced with the controller, fails instead of overwriting. On a lost race the state
 * is re-read, which delivers the winner's state to the partition through the metadata listeners.
 * Also runs the periodic ISR shrink check. One thread ("ferry-isr"), bounded queue: ZooKeeper
 * writes never run on network threads.
 */
final class IsrUpdater implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(IsrUpdater.class);
  private static final int QUEUE_CAPACITY = 10_000;

  private final PartitionStateStore store;
  private final Supplier<Collection<Partition>> partitions;
  private final long maxLagMs;
  private final ThreadPoolExecutor writer;
  private final ScheduledExecutorService scheduler;
  private final Time time;
  private volatile ScheduledFuture<?> checker;

  /**
   * @param scheduler runs the periodic shrink check (in-memory, quick; the writes it finds go to
   *     this updater's own {@code ferry-isr} thread)
   */
  IsrUpdater(
      PartitionStateStore store,
      Supplier<Collection<Partition>> partitions,
      long maxLagMs,
      ScheduledExecutorService scheduler,
      Time time) {
    this.store = store;
    this.partitions = partitions;
    this.maxLagMs = maxLagMs;
    this.scheduler = scheduler;
    this.time = time;
    writer =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE_CAPACITY),
            BrokerThreads.factory("ferry-isr"));
  }

  void start() {
    long period = Math.max(50, maxLagMs / 2);
    checker =
        scheduler.scheduleWithFixedDelay(this::checkShrink, period, period, TimeUnit.MILLISECONDS);
  }

  private void checkShrink() {
    try {
      long now = time.milliseconds();
      for (Partition p : partitions.get()) {
        PartitionState shrunk = p.maybeShrinkIsr(now, maxLagMs);
        if (shrunk != null) {
          submit(p, shrunk);
        }
      }
    } catch (RuntimeException e) {
      log.error("ISR shrink check failed", e);
    }
  }

  /** Queues the write of {@code proposed} (the partition has marked the change in flight). */
  void submit(Partition partition, PartitionState proposed) {
    try {
      writer.execute(() -> write(partition, proposed));
    } catch (RejectedExecutionException e) {
      log.warn("ISR update of {} dropped: queue full or closing", partition.topicPartition());
      partition.abortIsrChange(proposed);
    }
  }

  private void write(Partition partition, PartitionState proposed) {
    TopicPartition tp = partition.topicPartition();
    List<Integer> proposedIsr = proposed.isr();
    if (!partition.isLeader() || partition.leaderEpoch() != proposed.leaderEpoch()) {
      // Leadership moved while this waited; the conditional write would fail anyway.
      partition.abortIsrChange(proposed);
      return;
    }
    try {
      Optional<PartitionState> written =
          store.compareAndSetPartitionState(
              tp.topic(), tp.partition(), proposed.partitionEpoch(), proposed, null);
      if (written.isPresent()) {
        partition.completeIsrChange(written.get());
        return;
      }
      log.info(
          "ISR update of {} to {} lost a race (partition epoch {} is stale); re-reading",
          tp,
          proposedIsr,
          proposed.partitionEpoch());
      partition.abortIsrChange(proposed);
      store.readPartitionState(tp.topic(), tp.partition());
    } catch (RuntimeException e) {
      log.warn("ISR update of {} to {} failed: {}", tp, proposedIsr, e.toString());
      partition.abortIsrChange(proposed);
    }
  }

  @Override
  public void close() {
    ScheduledFuture<?> c = checker;
    if (c != null) {
      c.cancel(false);
    }
    writer.shutdownNow();
    BrokerThreads.awaitTermination(writer, "ferry-isr", 5_000);
  }
}
