package dev.ferry.reliability;

import java.time.Duration;

/**
 * One fault of a schedule.
 *
 * @param kind what happens
 * @param broker index of the target in the broker list
 * @param quietBefore how long the workload runs undisturbed before this fault
 * @param duration how long a pause lasts (zero for the other kinds)
 */
record Fault(Kind kind, int broker, Duration quietBefore, Duration duration) {

  enum Kind {
    /** SIGKILL mid-write, then restart on the same data (recovery of an unclean stop). */
    KILL,
    /** SIGSTOP for {@link #duration}, then SIGCONT: a GC pause or a stalled VM. */
    PAUSE,
    /** SIGTERM, then restart: a rolling restart. */
    CLEAN_RESTART
  }

  @Override
  public String toString() {
    return kind
        + " broker["
        + broker
        + "] after "
        + quietBefore.toMillis()
        + " ms"
        + (kind == Kind.PAUSE ? " for " + duration.toMillis() + " ms" : "");
  }
}
