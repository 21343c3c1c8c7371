package dev.ferry.controller;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.ControllerElection;
import dev.ferry.metadata.ControllerEpoch;
import dev.ferry.metadata.ControllerStore;
import dev.ferry.metadata.MetadataListener;
import dev.ferry.metadata.PartitionReplicas;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.PartitionStateStore;
import dev.ferry.metadata.Reassignment;
import dev.ferry.metadata.ReassignmentStore;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.VersionedPartitionState;
import dev.ferry.runtime.BrokerThreads;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ControllerMovedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster controller, ZooKeeper-mode Kafka style: every broker runs one, one of them is elected
 * through a LeaderLatch on {@code /ferry/controller}. The elected one claims a new controller epoch
 * and from then on keeps partition leadership consistent with the live brokers:
 *
 * <ul>
 *   <li>a partition whose leader died (or asked for controlled shutdown) gets a new leader from its
 *       ISR, or goes offline ({@link LeaderElection#decide});
 *   <li>brokers that are gone leave the ISRs they were in;
 *   <li>every {@code leader.imbalance.check.interval.seconds}, leadership moves back to the
 *       preferred (first) replica when it is in sync ({@code auto.leader.rebalance.enable});
 *   <li>a replica move (partition reassignment) completes once its added replicas are in sync
 *       ({@link ReassignmentCompletion}); its state lives in the topic's assignment, so a new
 *       controller picks it up where the old one left it.
 * </ul>
 *
 * <p>The work is level-triggered: any change (brokers, topics, partition states, shutdown requests)
 * schedules one reconciliation pass over the cached metadata, plus a periodic pass as a safety net.
 * Every write is a compare-and-set on the partition epoch and fenced by the controller epoch, so a
 * deposed controller cannot overwrite its successor. All work runs on the single "ferry-controller"
 * thread.
 */
public final class ClusterController implements MetadataListener, Closeable {

  private static final Logger log = LoggerFactory.getLogger(ClusterController.class);
  static final String UNCLEAN_LEADER_ELECTION = "unclean.leader.election.enable";
  private static final long RECONCILE_INTERVAL_MS = 2_000;

  /** Controller settings (Kafka names). */
  public record Config(
      boolean uncleanLeaderElection,
      boolean autoLeaderRebalance,
      long leaderImbalanceCheckIntervalMs) {}

  private final int brokerId;
  private final ControllerStore store;
  private final Config config;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean reconcileQueued = new AtomicBoolean();
  private ControllerElection election;

  // Controller-thread state.
  private volatile ControllerEpoch epoch;
  private Set<Integer> shuttingDown = Set.of();
  private Map<Integer, Set<TopicPartition>> offlineReplicas = Map.of();
  private final Incarnations incarnations = new Incarnations();
  private ScheduledFuture<?> periodic;
  private ScheduledFuture<?> rebalance;

  public ClusterController(int brokerId, ControllerStore store, Config config) {
    this(brokerId, store, config, controllerThread());
  }

  /**
   * @param executor runs all controller work, one task at a time; its delays are the controller's
   *     only notion of time (a test passes a manually advanced one)
   */
  ClusterController(
      int brokerId, ControllerStore store, Config config, ScheduledExecutorService executor) {
    this.brokerId = brokerId;
    this.store = store;
    this.config = config;
    this.executor = executor;
  }

  private static ScheduledExecutorService controllerThread() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, BrokerThreads.factory("ferry-controller"));
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /** Joins the controller election (after this broker registered). */
  public ClusterController start() {
    election =
        store.controllerElection(
            brokerId,
            new ControllerElection.Listener() {
              @Override
              public void onElected() {
                elected();
              }

              @Override
              public void onResigned() {
                resigned();
              }
            },
            executor);
    election.start();
    return this;
  }

  /** True while this broker is the active controller. */
  public boolean isActive() {
    return epoch != null && election != null && election.isController();
  }

  /** The epoch this broker holds as controller, or -1. */
  public int controllerEpoch() {
    ControllerEpoch e = epoch;
    return e == null ? -1 : e.epoch();
  }

  private void elected() {
    try {
      epoch = store.claimControllerEpoch();
    } catch (RuntimeException e) {
      log.error("Elected controller but could not claim the controller epoch; resigning", e);
      epoch = null;
      return;
    }
    log.info("Broker {} is the controller (epoch {})", brokerId, epoch.epoch());
    incarnations.forget();
    refreshShutdownRequests();
    refreshOfflineReplicas();
    periodic =
        executor.scheduleWithFixedDelay(
            this::reconcile, RECONCILE_INTERVAL_MS, RECONCILE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    if (config.autoLeaderRebalance()) {
      long every = Math.max(100, config.leaderImbalanceCheckIntervalMs());
      rebalance =
          executor.scheduleWithFixedDelay(
              this::preferredLeaderElection, every, every, TimeUnit.MILLISECONDS);
    }
    reconcile();
  }

  private void resigned() {
    if (epoch != null) {
      log.info("Broker {} is no longer the controller (epoch {})", brokerId, epoch.epoch());
    }
    epoch = null;
    cancel(periodic);
    cancel(rebalance);
    periodic = null;
    rebalance = null;
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  // ---- triggers (any thread)

  @Override
  public void onTopicChanged(TopicMetadata topic) {
    scheduleReconcile();
  }

  @Override
  public void onTopicDeleted(TopicMetadata topic) {}

  @Override
  public void onPartitionStateChanged(TopicMetadata topic, int partition, PartitionState state) {
    scheduleReconcile();
  }

  @Override
  public void onBrokersChanged(List<BrokerInfo> live) {
    scheduleReconcile();
  }

  private void scheduleReconcile() {
    if (epoch == null || executor.isShutdown()) {
      return;
    }
    if (reconcileQueued.compareAndSet(false, true)) {
      try {
        executor.execute(
            () -> {
              reconcileQueued.set(false);
              reconcile();
            });
      } catch (RuntimeException e) {
        reconcileQueued.set(false);
      }
    }
  }

  private void refreshShutdownRequests() {
    try {
      shuttingDown =
          store.shutdownRequests(
              () -> {
                if (!executor.isShutdown()) {
                  executor.execute(
                      () -> {
                        if (epoch != null) {
                          refreshShutdownRequests();
                          reconcile();
                        }
                      });
                }
              });
      if (!shuttingDown.isEmpty()) {
        log.info("Brokers in controlled shutdown: {}", shuttingDown);
      }
    } catch (RuntimeException e) {
      log.warn("Could not read controlled shutdown requests: {}", e.toString());
    }
  }

  /**
   * Re-reads the replicas brokers reported offline (a failed log dir of several) and watches for
   * the next change, which triggers a pass.
   */
  private void refreshOfflineReplicas() {
    try {
      offlineReplicas =
          store.offlineReplicas(
              () -> {
                if (!executor.isShutdown()) {
                  executor.execute(
                      () -> {
                        if (epoch != null) {
                          refreshOfflineReplicas();
                          reconcile();
                        }
                      });
                }
              });
      if (!offlineReplicas.isEmpty()) {
        log.info("Replicas offline (failed log dirs), by broker: {}", offlineReplicas);
      }
    } catch (RuntimeException e) {
      log.warn("Could not read offline replicas: {}", e.toString());
    }
  }

  /** The brokers that reported their replica of {@code tp} offline. */
  private Set<Integer> offlineOn(TopicPartition tp) {
    Set<Integer> out = Set.of();
    for (Map.Entry<Integer, Set<TopicPartition>> e : offlineReplicas.entrySet()) {
      if (e.getValue().contains(tp)) {
        if (out.isEmpty()) {
          out = new HashSet<>();
        }
        out.add(e.getKey());
      }
    }
    return out;
  }

  // ---- the work (controller thread)

  private void reconcile() {
    ControllerEpoch fence = epoch;
    if (fence == null) {
      return;
    }
    Map<Integer, Long> epochs = liveBrokerEpochs();
    Set<Integer> live = epochs.keySet();
    Set<Integer> eligible = new HashSet<>(live);
    eligible.removeAll(shuttingDown);
    boolean allWritten = true;
    List<Decision> decisions = new ArrayList<>();
    try {
      for (TopicMetadata topic : store.topics()) {
        boolean unclean = uncleanAllowed(topic);
        for (Map.Entry<Integer, List<Integer>> e : topic.replicaAssignment().entrySet()) {
          Optional<VersionedPartitionState> written =
              store.versionedPartitionState(topic.name(), e.getKey());
          if (written.isEmpty()) {
            continue;
          }
          PartitionState state = written.get().state();
          Set<Integer> unproven = incarnations.unproven(written.get(), epochs);
          List<Integer> replicas = e.getValue();
          // Only replicas may lead or be in sync (a cancelled move leaves others behind). A
          // replica whose log dir failed counts as dead for this partition only.
          Set<Integer> offline = offlineOn(new TopicPartition(topic.name(), e.getKey()));
          Set<Integer> eligibleHere = retain(eligible, replicas);
          Set<Integer> liveHere = retain(live, replicas);
          eligibleHere.removeAll(offline);
          liveHere.removeAll(offline);
          PartitionState next =
              LeaderElection.decide(replicas, state, eligibleHere, liveHere, unproven, unclean);
          if (next != null) {
            String why =
                unproven.isEmpty() ? "broker change" : "broker change, restarted " + unproven;
            if (!offline.isEmpty()) {
              why += ", replica offline on " + offline;
            }
            decisions.add(new Decision(topic.name(), e.getKey(), state, next, why));
            continue;
          }
          Reassignment move = topic.reassignments().get(e.getKey());
          if (move != null) {
            Set<Integer> proven = new HashSet<>(eligible);
            proven.removeAll(unproven);
            maybeCompleteReassignment(
                topic.name(), e.getKey(), replicas, move, state, proven, fence);
          }
        }
      }
      allWritten = writeAll(decisions, fence);
      if (allWritten) {
        incarnations.passCompleted(epochs);
      }
    } catch (ControllerMovedException e) {
      log.warn("Controller epoch {} was superseded; stopping controller work", fence.epoch());
      resigned();
    } catch (RuntimeException e) {
      log.error("Controller pass failed; will retry", e);
    }
  }

  /** The broker epoch of every live broker, by id. */
  private Map<Integer, Long> liveBrokerEpochs() {
    Map<Integer, Long> epochs = new HashMap<>();
    for (BrokerInfo b : store.liveBrokers()) {
      long e = store.brokerEpoch(b.id());
      if (e >= 0) {
        epochs.put(b.id(), e);
      }
    }
    return epochs;
  }

  private static Set<Integer> retain(Set<Integer> brokers, List<Integer> replicas) {
    Set<Integer> out = new HashSet<>(brokers);
    out.retainAll(replicas);
    return out;
  }

  /**
   * Completes a replica move whose added replicas are all in sync: the target replicas, the ISR
   * without the leaving ones and, if the leader leaves, a new leader, in one write.
   */
  private void maybeCompleteReassignment(
      String topic,
      int partition,
      List<Integer> replicas,
      Reassignment move,
      PartitionState state,
      Set<Integer> eligible,
      ControllerEpoch fence) {
    PartitionState next = ReassignmentCompletion.complete(replicas, move, state, eligible);
    if (next == null) {
      return;
    }
    List<Integer> target = move.target(replicas);
    boolean written =
        store.compareAndSetReplicas(
            topic,
            partition,
            new PartitionReplicas(replicas, move),
            new PartitionReplicas(target, null),
            new ReassignmentStore.StateChange(state.partitionEpoch(), next),
            fence);
    if (written) {
      log.info(
          "{}-{}: reassignment complete, replicas {} -> {}, leader {} -> {}, ISR {}",
          topic,
          partition,
          replicas,
          target,
          state.leader(),
          next.leader(),
          next.isr());
    } else {
      store.readPartitionState(topic, partition);
      scheduleReconcile();
    }
  }

  private void preferredLeaderElection() {
    ControllerEpoch fence = epoch;
    if (fence == null) {
      return;
    }
    Map<Integer, Long> epochs = liveBrokerEpochs();
    Set<Integer> eligible = new HashSet<>(epochs.keySet());
    eligible.removeAll(shuttingDown);
    List<Decision> decisions = new ArrayList<>();
    try {
      for (TopicMetadata topic : store.topics()) {
        for (Map.Entry<Integer, List<Integer>> e : topic.replicaAssignment().entrySet()) {
          Optional<VersionedPartitionState> written =
              store.versionedPartitionState(topic.name(), e.getKey());
          if (written.isEmpty() || topic.reassignments().containsKey(e.getKey())) {
            continue; // a moving partition's leader is settled when the move completes
          }
          // A restarted broker leads again only once the leader has added it back to the ISR.
          Set<Integer> proven = new HashSet<>(eligible);
          proven.removeAll(incarnations.unproven(written.get(), epochs));
          PartitionState state = written.get().state();
          PartitionState next = LeaderElection.preferred(e.getValue(), state, proven);
          if (next != null) {
            decisions.add(new Decision(topic.name(), e.getKey(), state, next, "preferred leader"));
          }
        }
      }
      writeAll(decisions, fence);
    } catch (ControllerMovedException e) {
      resigned();
    } catch (RuntimeException e) {
      log.error("Preferred leader election failed; will retry", e);
    }
  }

  /** A pass's decision for one partition: its state as read, and the state to write. */
  private record Decision(
      String topic, int partition, PartitionState current, PartitionState next, String why) {}

  /**
   * Writes the decisions of one pass together (the store groups them into few transactions, see
   * {@link dev.ferry.metadata.PartitionStateStore#compareAndSetPartitionStates}); false if someone
   * got in first on any of them (a pass is scheduled to decide those again).
   */
  private boolean writeAll(List<Decision> decisions, ControllerEpoch fence) {
    if (decisions.isEmpty()) {
      return true;
    }
    List<PartitionStateStore.StateWrite> writes = new ArrayList<>(decisions.size());
    for (Decision d : decisions) {
      writes.add(
          new PartitionStateStore.StateWrite(
              d.topic(), d.partition(), d.current().partitionEpoch(), d.next()));
    }
    List<Optional<PartitionState>> written = store.compareAndSetPartitionStates(writes, fence);
    boolean all = true;
    for (int i = 0; i < decisions.size(); i++) {
      Decision d = decisions.get(i);
      Optional<PartitionState> w = written.get(i);
      if (w.isPresent()) {
        log.info(
            "{}-{}: leader {} -> {} (epoch {}), ISR {} -> {} ({})",
            d.topic(),
            d.partition(),
            d.current().leader(),
            w.get().leader(),
            w.get().leaderEpoch(),
            d.current().isr(),
            w.get().isr(),
            d.why());
      } else {
        // Someone (the leader changing its ISR) got in first: re-read, the change triggers a pass.
        store.readPartitionState(d.topic(), d.partition());
        all = false;
      }
    }
    if (!all) {
      scheduleReconcile();
    }
    return all;
  }

  private boolean uncleanAllowed(TopicMetadata topic) {
    String v = topic.configs().get(UNCLEAN_LEADER_ELECTION);
    return v == null ? config.uncleanLeaderElection() : Boolean.parseBoolean(v.trim());
  }

  /** Leaves the election (another broker takes over at once) and stops the controller thread. */
  @Override
  public void close() {
    if (election != null) {
      election.close();
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    epoch = null;
  }
}
