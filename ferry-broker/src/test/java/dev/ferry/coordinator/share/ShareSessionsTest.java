package dev.ferry.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.runtime.ManualClock;
import java.util.List;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Share-session epochs as the Java client moves them, the session limit and idle eviction. */
class ShareSessionsTest {

  private static final Uuid TOPIC = Uuid.randomUuid();
  private static final TopicIdPartition P0 = new TopicIdPartition(TOPIC, 0, "t");
  private static final TopicIdPartition P1 = new TopicIdPartition(TOPIC, 1, "t");

  private final ManualClock clock = new ManualClock(0);
  private final ShareSessions sessions = new ShareSessions(2, 45_000, clock);

  @Test
  void epochsOpenMoveOnAndClose() {
    assertThat(sessions.fetch("c", "g", "m", 0, List.of(P0), List.of()).partitions())
        .containsExactly(P0);
    // Incremental: adds P1, forgets nothing; then forgets P0.
    assertThat(sessions.fetch("c", "g", "m", 1, List.of(P1), List.of()).partitions())
        .containsExactly(P0, P1);
    assertThat(sessions.acknowledge("c", "g", "m", 2).error()).isEqualTo(Errors.NONE);
    assertThat(sessions.fetch("c", "g", "m", 3, List.of(), List.of(P0)).partitions())
        .containsExactly(P1);
    // A repeated or skipped epoch.
    assertThat(sessions.fetch("c", "g", "m", 3, List.of(), List.of()).error())
        .isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
    assertThat(sessions.fetch("c", "g", "m", 9, List.of(), List.of()).error())
        .isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
    // The final epoch closes it and hands back its partitions (to release what the member holds).
    assertThat(sessions.acknowledge("c", "g", "m", -1).partitions()).containsExactly(P1);
    assertThat(sessions.fetch("c", "g", "m", 5, List.of(), List.of()).error())
        .isEqualTo(Errors.SHARE_SESSION_NOT_FOUND);
    assertThat(sessions.size()).isZero();
  }

  @Test
  void anAcknowledgementCannotOpenASession() {
    assertThat(sessions.acknowledge("c", "g", "m", 0).error())
        .isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
    assertThat(sessions.acknowledge("c", "g", "m", 1).error())
        .isEqualTo(Errors.SHARE_SESSION_NOT_FOUND);
  }

  @Test
  void theLimitRefusesNewSessionsUntilOneIsIdleForTheSessionTimeout() {
    sessions.fetch("c", "g", "a", 0, List.of(P0), List.of());
    clock.advance(30_000);
    sessions.fetch("c", "g", "b", 0, List.of(P0), List.of());
    assertThat(sessions.fetch("c", "g", "c", 0, List.of(P0), List.of()).error())
        .isEqualTo(Errors.SHARE_SESSION_LIMIT_REACHED);
    // Reopening an existing member's session is not a new one.
    assertThat(sessions.fetch("c", "g", "a", 0, List.of(P0), List.of()).error())
        .isEqualTo(Errors.NONE);
    clock.advance(45_000); // a and b idle for 45 s
    sessions.fetch("c", "g", "b", 1, List.of(), List.of()); // b is used again
    assertThat(sessions.fetch("c", "g", "c", 0, List.of(P0), List.of()).error())
        .isEqualTo(Errors.NONE);
    assertThat(sessions.fetch("c", "g", "a", 1, List.of(), List.of()).error())
        .isEqualTo(Errors.SHARE_SESSION_NOT_FOUND);
    assertThat(sessions.fetch("c", "g", "b", 2, List.of(), List.of()).error())
        .isEqualTo(Errors.NONE);
  }

  @Test
  void aClosedConnectionEndsTheSessionsItLastMovedOnAndOnlyThose() {
    sessions.fetch("conn-1", "g", "a", 0, List.of(P0), List.of());
    sessions.fetch("conn-1", "g", "b", 0, List.of(P1), List.of());
    // b's next request comes over a new connection: the session follows it.
    sessions.fetch("conn-2", "g", "b", 1, List.of(P0), List.of());

    assertThat(sessions.closeConnection("conn-1"))
        .containsExactly(new ShareSessions.Closed("g", "a", List.of(P0)));
    assertThat(sessions.isOpen("g", "a")).isFalse();
    assertThat(sessions.isOpen("g", "b")).isTrue();
    assertThat(sessions.fetch("conn-1", "g", "a", 1, List.of(), List.of()).error())
        .isEqualTo(Errors.SHARE_SESSION_NOT_FOUND);
    assertThat(sessions.closeConnection("conn-1")).isEmpty();
    assertThat(sessions.closeConnection("conn-2"))
        .containsExactly(new ShareSessions.Closed("g", "b", List.of(P1, P0)));
    assertThat(sessions.size()).isZero();
  }
}
