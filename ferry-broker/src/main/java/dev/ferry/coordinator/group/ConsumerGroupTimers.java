package dev.ferry.coordinator.group;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timers of consumer-protocol members, on the coordinator's scheduler: the session (a member
 * silent for its session timeout is fenced) and the revocation deadline (a member that does not
 * revoke within its rebalance timeout is fenced). One session timer per member, re-armed from the
 * last heartbeat, so heartbeats cost no scheduler work.
 */
final class ConsumerGroupTimers {

  private static final Logger log = LoggerFactory.getLogger(ConsumerGroupTimers.class);

  private final ConsumerGroupConfig config;
  private final Time time;
  private final ScheduledExecutorService scheduler;
  private final ConsumerGroupManager groups;

  ConsumerGroupTimers(
      ConsumerGroupConfig config,
      Time time,
      ScheduledExecutorService scheduler,
      ConsumerGroupManager groups) {
    this.config = config;
    this.time = time;
    this.scheduler = scheduler;
    this.groups = groups;
  }

  /**
   * A heartbeat: the session restarts now. One timer per member; it re-arms itself. A classic
   * member's session is the one its JoinGroup asked for.
   */
  void touchSession(ConsumerGroup g, ConsumerGroupMember m) {
    long timeout = sessionTimeoutOf(m);
    m.sessionDeadlineMs = time.milliseconds() + timeout;
    if (m.sessionCheck == null) {
      m.sessionCheck =
          scheduler.schedule(() -> onSessionCheck(g, m), timeout, TimeUnit.MILLISECONDS);
    }
  }

  long sessionTimeoutOf(ConsumerGroupMember m) {
    return m.usesClassicProtocol() ? m.classic.sessionTimeoutMs() : config.sessionTimeoutMs();
  }

  void onSessionCheck(ConsumerGroup g, ConsumerGroupMember m) {
    g.lock().lock();
    try {
      m.sessionCheck = null;
      if (g.isDead() || g.member(m.memberId) != m) {
        return;
      }
      long now = time.milliseconds();
      if (now < m.sessionDeadlineMs) {
        m.sessionCheck =
            scheduler.schedule(
                () -> onSessionCheck(g, m), m.sessionDeadlineMs - now, TimeUnit.MILLISECONDS);
        return;
      }
      groups.fence(g, m, "expired (no heartbeat within " + sessionTimeoutOf(m) + " ms) from");
      groups.persist(g);
    } finally {
      g.lock().unlock();
    }
  }

  /**
   * A member asked to revoke partitions has its rebalance timeout to do so; one that does not is
   * removed, so the partitions it holds go to their new owners.
   */
  void armRevocationDeadline(ConsumerGroup g, ConsumerGroupMember m) {
    if (m.state != ConsumerGroupMember.State.UNREVOKED_PARTITIONS) {
      m.cancelRevocationDeadline();
      return;
    }
    if (m.revocationDeadline == null) {
      int epoch = m.memberEpoch;
      m.revocationDeadline =
          scheduler.schedule(
              () -> onRevocationDeadline(g, m, epoch),
              Math.max(1, m.rebalanceTimeoutMs),
              TimeUnit.MILLISECONDS);
    }
  }

  void onRevocationDeadline(ConsumerGroup g, ConsumerGroupMember m, int epoch) {
    g.lock().lock();
    try {
      m.revocationDeadline = null;
      if (!g.isDead()
          && g.member(m.memberId) == m
          && m.state == ConsumerGroupMember.State.UNREVOKED_PARTITIONS
          && m.memberEpoch == epoch) {
        groups.fence(g, m, "did not revoke its partitions within its rebalance timeout; left");
        groups.persist(g);
      }
    } finally {
      g.lock().unlock();
    }
  }
}
