package dev.ferry.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The leader's ISR bookkeeping alone: expansion, shrink, one change in flight, the maximal ISR. */
class IsrTrackerTest {

  private static final int LEADER = 0;
  private final IsrTracker tracker = new IsrTracker(new TopicPartition("t", 0), LEADER);

  @Test
  void aFollowerThatReachesTheHighWatermarkIsProposedOnceWhileTheWriteIsInFlight() {
    tracker.startTracking(List.of(0, 1, 2), 0);
    tracker.adopt(List.of(0));

    assertThat(tracker.onFollowerFetch(1, 4, 10, 5, 5, 0, id -> true))
        .as("below the high watermark")
        .isNull();
    assertThat(tracker.onFollowerFetch(1, 5, 10, 6, 5, 6, id -> true))
        .as("below the start of this leadership")
        .isNull();
    assertThat(tracker.onFollowerFetch(1, 6, 10, 7, 5, 6, id -> false))
        .as("not eligible (fenced or shutting down)")
        .isNull();
    assertThat(tracker.onFollowerFetch(1, 6, 10, 8, 5, 6, id -> true))
        .containsExactlyInAnyOrder(0, 1);
    assertThat(tracker.onFollowerFetch(2, 10, 10, 9, 5, 6, id -> true))
        .as("one change at a time")
        .isNull();
    assertThat(tracker.isr()).as("nothing written yet").containsExactly(0);

    tracker.adopt(List.of(0, 1));
    assertThat(tracker.onFollowerFetch(2, 10, 10, 9, 5, 6, id -> true))
        .containsExactlyInAnyOrder(0, 1, 2);
  }

  @Test
  void theReplicatedEndIsTheSmallestOverTheMaximalIsrAndUnknownUntilEveryMemberFetched() {
    tracker.startTracking(List.of(0, 1, 2), 0);
    tracker.adopt(List.of(0, 1));
    assertThat(tracker.replicatedEndOffset(10)).as("replica 1 has not fetched").isEqualTo(-1);

    tracker.onFollowerFetch(1, 8, 10, 1, 0, 0, id -> false);
    assertThat(tracker.replicatedEndOffset(10)).isEqualTo(8);

    // Replica 2 caught up and is being added: the high watermark waits for it too.
    assertThat(tracker.onFollowerFetch(2, 3, 10, 2, 0, 0, id -> true))
        .containsExactlyInAnyOrder(0, 1, 2);
    assertThat(tracker.replicatedEndOffset(10)).isEqualTo(3);
    tracker.settle();
    assertThat(tracker.replicatedEndOffset(10)).as("the write was lost").isEqualTo(8);
    assertThat(tracker.followerLogEndOffsets()).isEqualTo(Map.of(1, 8L, 2, 3L));
  }

  @Test
  void followersThatDidNotCatchUpWithinTheLagAreProposedForRemoval() {
    tracker.startTracking(List.of(0, 1, 2), 1_000);
    tracker.adopt(List.of(0, 1, 2));
    tracker.onFollowerFetch(1, 10, 10, 1_200, 0, 0, id -> true);
    tracker.onFollowerFetch(2, 4, 10, 1_200, 0, 0, id -> true);

    assertThat(tracker.shrink(2_000, 1_000, 10)).as("within the lag").isNull();
    tracker.onFollowerFetch(1, 10, 10, 2_000, 0, 0, id -> true);
    assertThat(tracker.shrink(2_100, 1_000, 10))
        .as("replica 2 has not caught up since it became a follower at 1000")
        .containsExactlyInAnyOrder(0, 1);
    assertThat(tracker.shrink(2_100, 1_000, 10)).as("already in flight").isNull();
    tracker.adopt(List.of(0, 1));
    assertThat(tracker.isr()).containsExactlyInAnyOrder(0, 1);
    assertThat(tracker.shrink(2_100, 1_000, 10)).isNull();
  }

  @Test
  void unknownReplicasAreIgnoredAndStoppingForgetsEveryFollower() {
    tracker.startTracking(List.of(0, 1), 0);
    tracker.adopt(List.of(0));
    assertThat(tracker.onFollowerFetch(7, 10, 10, 1, 0, 0, id -> true)).isNull();
    tracker.onFollowerFetch(1, 2, 10, 1, 5, 0, id -> true);
    assertThat(tracker.followerLogEndOffsets()).isEqualTo(Map.of(1, 2L));

    tracker.stopTracking();
    assertThat(tracker.followerLogEndOffsets()).isEmpty();
  }

  @Test
  void aReassignmentTracksAddedFollowersAndDropsRemovedOnesOutsideTheIsr() {
    tracker.startTracking(List.of(0, 1, 2), 0);
    tracker.adopt(List.of(0, 1, 2));
    tracker.onFollowerFetch(1, 5, 10, 1, 0, 0, id -> true);

    tracker.reassigned(List.of(0, 1, 3), 2);
    assertThat(tracker.followerLogEndOffsets())
        .as("2 stays while the ISR still names it; 3 is new; 1 keeps its progress")
        .isEqualTo(Map.of(1, 5L, 2, -1L, 3, -1L));

    tracker.adopt(List.of(0, 1));
    tracker.reassigned(List.of(0, 1, 3), 3);
    assertThat(tracker.followerLogEndOffsets()).isEqualTo(Map.of(1, 5L, 3, -1L));
  }
}
