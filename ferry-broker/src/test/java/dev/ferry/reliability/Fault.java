package dev.ferry.reliability;

import java.time.Duration;

/**
 * One fault of a schedule.
 *
 * @param kind what happens
 * @param target a seeded choice the injector maps to a process: the broker index for the
 *     single-broker kinds and {@link Kind#CLEAN_RESTART}, the partition (plus which follower, see
 *     {@link FaultInjector}) for the leader and follower kinds, the node for {@link
 *     Kind#KILL_ZOOKEEPER}
 * @param quietBefore how long the workload runs undisturbed before this fault
 * @param duration how long a pause lasts, or how long a killed process stays down before its
 *     restart; zero for the kinds without either
 */
record Fault(Kind kind, int target, Duration quietBefore, Duration duration) {

  enum Kind {
    /** SIGKILL mid-write, then restart on the same data (recovery of an unclean stop). */
    KILL,
    /** SIGSTOP for {@link #duration}, then SIGCONT: a GC pause or a stalled VM. */
    PAUSE,
    /** SIGTERM, then restart: a rolling restart (controlled shutdown in a cluster). */
    CLEAN_RESTART,
    /**
     * SIGKILL of the broker leading a partition at that moment; restarted after {@link #duration}.
     */
    KILL_LEADER,
    /** SIGKILL of a follower of a partition; restarted after {@link #duration}. */
    KILL_FOLLOWER,
    /**
     * SIGSTOP of the broker leading a partition for {@link #duration} (longer than the ZooKeeper
     * session: it is fenced and replaced meanwhile), then SIGCONT.
     */
    PAUSE_LEADER,
    /** SIGKILL of a ZooKeeper node; restarted on the same data after {@link #duration}. */
    KILL_ZOOKEEPER,
    /**
     * A power loss of the broker leading a partition at that moment, that broker alone: SIGKILL,
     * then its logs cut back to what its last fsync covered ({@link PowerLoss}); restarted after
     * {@link #duration}. The other replicas keep their page caches.
     */
    POWER_LOSS_LEADER,
    /**
     * A network partition for {@link #duration}: the victim broker is cut from the other brokers
     * and from ZooKeeper, while clients still reach it (Jepsen's "isolate a node"; with balanced
     * leadership every broker leads a partition, so the victim is a leader).
     */
    ISOLATE,
    /**
     * A network partition for {@link #duration}: the victim is cut from the other brokers only;
     * everyone keeps ZooKeeper (a minority that the controller still sees as alive).
     */
    CUT_FROM_BROKERS,
    /**
     * A network partition for {@link #duration}: two brokers cannot reach each other, the third
     * (the bridge) reaches both; everyone keeps ZooKeeper.
     */
    BRIDGE,
    /**
     * A network partition for {@link #duration}: the victim is cut from ZooKeeper only; other
     * brokers and clients still reach it.
     */
    CUT_FROM_ZOOKEEPER,
    /**
     * Overlapping faults: the victim is isolated (as {@link #ISOLATE}) for {@link #duration}, and a
     * second broker is SIGSTOPped for the middle half of it.
     */
    ISOLATE_WHILE_PAUSED,
    /**
     * Overlapping faults: SIGKILL of the victim, then, while the controller is still moving its
     * partitions' leadership, SIGKILL of a second broker; both restarted after {@link #duration}.
     */
    KILL_DURING_ELECTION,
    /**
     * The victim's log dir fills up for {@link #duration} (a tmpfs of its own, filled with a
     * ballast file: ENOSPC for every write), then the space returns; the broker process runs on.
     */
    DISK_FULL
  }

  @Override
  public String toString() {
    String what =
        switch (kind) {
          case KILL, PAUSE, CLEAN_RESTART -> "broker[" + target + "]";
          case KILL_LEADER, PAUSE_LEADER, POWER_LOSS_LEADER -> "leader of choice " + target;
          case KILL_FOLLOWER -> "follower of choice " + target;
          case KILL_ZOOKEEPER -> "zookeeper[" + target + "]";
          case ISOLATE,
              CUT_FROM_BROKERS,
              BRIDGE,
              CUT_FROM_ZOOKEEPER,
              ISOLATE_WHILE_PAUSED,
              KILL_DURING_ELECTION,
              DISK_FULL ->
              "victims of choice " + target;
        };
    String how =
        switch (kind) {
          case PAUSE, PAUSE_LEADER -> " for " + duration.toMillis() + " ms";
          case KILL_LEADER,
              KILL_FOLLOWER,
              KILL_ZOOKEEPER,
              KILL_DURING_ELECTION,
              POWER_LOSS_LEADER ->
              ", down " + duration.toMillis() + " ms";
          case ISOLATE,
              CUT_FROM_BROKERS,
              BRIDGE,
              CUT_FROM_ZOOKEEPER,
              ISOLATE_WHILE_PAUSED,
              DISK_FULL ->
              " for " + duration.toMillis() + " ms";
          default -> "";
        };
    return kind + " " + what + " after " + quietBefore.toMillis() + " ms" + how;
  }
}
