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
    KILL_ZOOKEEPER
  }

  @Override
  public String toString() {
    String what =
        switch (kind) {
          case KILL, PAUSE, CLEAN_RESTART -> "broker[" + target + "]";
          case KILL_LEADER, PAUSE_LEADER -> "leader of choice " + target;
          case KILL_FOLLOWER -> "follower of choice " + target;
          case KILL_ZOOKEEPER -> "zookeeper[" + target + "]";
        };
    String how =
        switch (kind) {
          case PAUSE, PAUSE_LEADER -> " for " + duration.toMillis() + " ms";
          case KILL_LEADER, KILL_FOLLOWER, KILL_ZOOKEEPER ->
              ", down " + duration.toMillis() + " ms";
          default -> "";
        };
    return kind + " " + what + " after " + quietBefore.toMillis() + " ms" + how;
  }
}
