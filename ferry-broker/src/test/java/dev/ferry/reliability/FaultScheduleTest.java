package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code ferry.faults.kinds} names, and that a seed replays its schedule. */
class FaultScheduleTest {

  @Test
  void familiesAndKindsCombineInTheOrderGiven() {
    assertThat(FaultSchedule.kinds("all"))
        .startsWith(FaultSchedule.NETWORK.toArray(Fault.Kind[]::new))
        .containsSubsequence(FaultSchedule.CLUSTER.toArray(Fault.Kind[]::new))
        .endsWith(Fault.Kind.DISK_FULL)
        .hasSize(13);
    assertThat(FaultSchedule.kinds("all,disk")).isEqualTo(FaultSchedule.kinds("all"));
    assertThat(FaultSchedule.kinds("ISOLATE")).containsExactly(Fault.Kind.ISOLATE);
    assertThat(FaultSchedule.kinds(" power_loss_leader , isolate,POWER_LOSS_LEADER"))
        .containsExactly(Fault.Kind.POWER_LOSS_LEADER, Fault.Kind.ISOLATE);
    assertThat(FaultSchedule.kinds("disk")).containsExactly(Fault.Kind.DISK_FULL);
    assertThatThrownBy(() -> FaultSchedule.kinds("KILL"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("single-broker");
    assertThatThrownBy(() -> FaultSchedule.kinds("NO_SUCH_KIND"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void oneShapeAloneFillsTheBudgetWithThatShapeAndReplaysFromItsSeed() {
    List<Fault.Kind> kinds = FaultSchedule.kinds("BRIDGE");
    FaultSchedule a =
        FaultSchedule.random(
            42, kinds, 6, Duration.ofSeconds(300), Duration.ofSeconds(8), Duration.ofSeconds(6));
    FaultSchedule b =
        FaultSchedule.random(
            42, kinds, 6, Duration.ofSeconds(300), Duration.ofSeconds(8), Duration.ofSeconds(6));
    assertThat(a.faults()).isEqualTo(b.faults());
    assertThat(a.faults()).extracting(Fault::kind).containsOnly(Fault.Kind.BRIDGE);
    long budgetMs =
        a.faults().stream()
            .mapToLong(f -> f.quietBefore().toMillis() + f.duration().toMillis())
            .sum();
    assertThat(budgetMs).isBetween(285_000L, 300_000L);
  }
}
