package dev.ferry.broker;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.MetadataStore;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.replication.ReplicaManager;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A clean stop that does not make clients wait for a session timeout: the broker stops replicating,
 * asks the controller (znode {@code /ferry/brokers/shutdown/<id>}) to move its leaderships to other
 * in-sync replicas and take it out of every ISR, and waits for that, bounded. Partitions where it
 * is the only in-sync replica keep it as leader until it stops (moving them would lose acknowledged
 * data).
 */
final class ControlledShutdown {

  private static final Logger log = LoggerFactory.getLogger(ControlledShutdown.class);
  private static final long POLL_MS = 50;

  private final int brokerId;
  private final MetadataStore metadata;
  private final ReplicaManager replicaManager;
  private final Time time;

  ControlledShutdown(
      int brokerId, MetadataStore metadata, ReplicaManager replicaManager, Time time) {
    this.time = time;
    this.brokerId = brokerId;
    this.metadata = metadata;
    this.replicaManager = replicaManager;
  }

  /**
   * Runs the controlled shutdown, bounded by {@code timeoutMs} ({@code
   * controlled.shutdown.timeout.ms}) whatever the metadata store does: the request to the
   * controller does not wait for the store, and giving up is logged. Nothing to move (no other live
   * broker, or nothing that depends on this one) returns at once.
   */
  void run(long timeoutMs) {
    Set<Integer> others = otherLiveBrokers();
    if (others.isEmpty() || pending(others) == 0) {
      log.info("Controlled shutdown of broker {}: no leadership to move", brokerId);
      return;
    }
    long t0 = time.nanoseconds();
    replicaManager.stopFollowing();
    try {
      metadata.requestControlledShutdown(brokerId);
    } catch (RuntimeException e) {
      log.warn(
          "Controlled shutdown of broker {}: the request failed ({}); waiting for the controller"
              + " anyway",
          brokerId,
          e.toString());
    }
    long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    int left;
    while ((left = pending(otherLiveBrokers())) > 0
        && time.nanoseconds() < deadline
        && !Thread.currentThread().isInterrupted()) {
      time.sleep(POLL_MS); // an interrupt ends the wait (the flag stays set)
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(time.nanoseconds() - t0);
    if (left > 0) {
      log.warn(
          "Controlled shutdown of broker {} gave up after {} ms (controlled.shutdown.timeout.ms"
              + " {}): {} partition(s) still lead here or list it in sync",
          brokerId,
          ms,
          timeoutMs,
          left);
    } else {
      log.info("Controlled shutdown of broker {}: leadership moved away in {} ms", brokerId, ms);
    }
  }

  private Set<Integer> otherLiveBrokers() {
    Set<Integer> ids = new HashSet<>();
    for (BrokerInfo b : metadata.liveBrokers()) {
      if (b.id() != brokerId) {
        ids.add(b.id());
      }
    }
    return ids;
  }

  /** Partitions that still depend on this broker although another live replica could serve. */
  private int pending(Set<Integer> others) {
    int n = 0;
    for (TopicMetadata topic : metadata.topics()) {
      for (int p : topic.replicaAssignment().keySet()) {
        Optional<PartitionState> s = metadata.partitionState(topic.name(), p);
        if (s.isEmpty() || !s.get().isr().contains(brokerId)) {
          continue;
        }
        PartitionState state = s.get();
        boolean otherInSync = state.isr().stream().anyMatch(others::contains);
        if (state.leader() == brokerId ? otherInSync : others.contains(state.leader())) {
          n++;
        }
      }
    }
    return n;
  }
}
