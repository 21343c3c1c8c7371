package dev.ferry.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.runtime.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * The replication throttle's arithmetic on a controlled clock. As Kafka's quota rate, the bytes are
 * measured over at least ten of the eleven one-second samples: a fresh throttle lets ten seconds'
 * worth through at once, then holds throttled replicas back until those bytes age out.
 */
class ReplicationQuotaTest {

  private final ManualClock clock = new ManualClock(1_000_000);
  private final ReplicationQuota quota = new ReplicationQuota(clock);

  @Test
  void anUnboundedQuotaCountsNothingAndIsNeverExceeded() {
    quota.record(1L << 30);

    assertThat(quota.isExceeded()).isFalse();
    assertThat(quota.throttledBytes()).isZero();
  }

  @Test
  void aFreshBoundPassesTenSecondsWorthThenHoldsBackUntilTheBytesAgeOut() {
    quota.setBound(1_000);

    quota.record(10_000);
    assertThat(quota.isExceeded()).as("exactly the bound over the 10 s window").isFalse();
    quota.record(1);
    assertThat(quota.isExceeded()).isTrue();
    assertThat(quota.throttledBytes()).isEqualTo(10_001);

    clock.advance(5_000);
    assertThat(quota.isExceeded()).as("still within the window").isTrue();
    clock.advance(6_000);
    assertThat(quota.isExceeded()).as("the burst's sample expired").isFalse();
    assertThat(quota.rate()).isZero();
  }

  @Test
  void aSteadyFlowUnderTheBoundIsNeverHeldBack() {
    quota.setBound(1_000);
    for (int tick = 0; tick < 300; tick++) {
      quota.record(90);
      assertThat(quota.isExceeded()).as("after %d ms", tick * 100).isFalse();
      clock.advance(100);
    }
    assertThat(quota.rate()).isBetween(850.0, 950.0);
  }
}
