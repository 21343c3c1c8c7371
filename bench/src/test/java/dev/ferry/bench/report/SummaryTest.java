package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SummaryTest {

  private static RunResult run(String target, int round, double msgs) {
    RunResult r = new RunResult(target, round);
    r.put(Figure.B1_MSGS, msgs);
    return r;
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Summary.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Summary.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
  }

  @Test
  void ratioIsCandidateMedianOverReferenceMedian() {
    Summary s =
        new Summary(
            List.of(
                run("kafka", 1, 100),
                run("ferry", 1, 90),
                run("kafka", 2, 120),
                run("ferry", 2, 150),
                run("kafka", 3, 110),
                run("ferry", 3, 99)));
    assertThat(s.median("kafka", Figure.B1_MSGS).getAsDouble()).isEqualTo(110);
    assertThat(s.median("ferry", Figure.B1_MSGS).getAsDouble()).isEqualTo(99);
    assertThat(s.ratio("ferry", "kafka", Figure.B1_MSGS).getAsDouble())
        .isCloseTo(0.9, within(1e-9));
    // half of (120 - 100) over 110
    assertThat(s.spreadPercent("kafka", Figure.B1_MSGS)).isCloseTo(100.0 / 11, within(1e-9));
  }

  @Test
  void noRatioWithoutBothBrokers() {
    Summary s = new Summary(List.of(run("kafka", 1, 100)));
    assertThat(s.ratio("ferry", "kafka", Figure.B1_MSGS)).isEmpty();
    assertThat(s.median("kafka", Figure.B50_MSGS)).isEmpty();
    assertThat(s.spreadPercent("kafka", Figure.B1_MSGS)).isZero();
  }

  @Test
  void latenciesOfAllRoundsAreMerged() {
    RunResult a = run("kafka", 1, 1);
    RunResult b = run("kafka", 2, 1);
    Histogram h1 = new Histogram(60_000_000, 3);
    h1.recordValue(1_000);
    Histogram h2 = new Histogram(60_000_000, 3);
    h2.recordValue(3_000);
    h2.recordValue(5_000);
    a.putLatency("high", h1);
    b.putLatency("high", h2);
    Histogram merged = new Summary(List.of(a, b)).mergedLatency("kafka", "high");
    assertThat(merged.getTotalCount()).isEqualTo(3);
    assertThat(merged.getMaxValue()).isBetween(4_995L, 5_005L);
    assertThat(new Summary(List.of(a, b)).mergedLatency("ferry", "high")).isNull();
  }
}
