package dev.ferry.bench.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CompilerThreadsTest {

  @Test
  void recognisesHotSpotCompilerThreadsByTheirTruncatedNames() {
    assertThat(CompilerThreads.isCompiler("C2 CompilerThre\n")).isTrue();
    assertThat(CompilerThreads.isCompiler("C1 CompilerThre\n")).isTrue();
    assertThat(CompilerThreads.isCompiler("data-plane-kafk\n")).isFalse();
    assertThat(CompilerThreads.isCompiler("GC Thread#0\n")).isFalse();
  }

  @Test
  void deltaAddsWhatEachThreadDidAndCountsNewThreadsFromZero() {
    long ticks = ProcStat.clockTicksPerSecond();
    CompilerThreads.Snapshot before =
        new CompilerThreads.Snapshot(
            Map.of(
                100L, Map.of(1L, 10 * ticks, 2L, 5 * ticks),
                200L, Map.of(7L, 1 * ticks)));
    // Thread 2 has exited (its time is not counted again), thread 3 is new, pid 200 did nothing.
    CompilerThreads.Snapshot after =
        new CompilerThreads.Snapshot(
            Map.of(
                100L, Map.of(1L, 12 * ticks, 3L, 4 * ticks),
                200L, Map.of(7L, 1 * ticks)));

    assertThat(after.secondsSince(before)).isEqualTo(6.0);
  }

  @Test
  void aThreadIdReusedWithLessTimeNeverCountsNegative() {
    long ticks = ProcStat.clockTicksPerSecond();
    CompilerThreads.Snapshot before =
        new CompilerThreads.Snapshot(Map.of(100L, Map.of(1L, 9 * ticks)));
    CompilerThreads.Snapshot after =
        new CompilerThreads.Snapshot(Map.of(100L, Map.of(1L, 2 * ticks)));

    assertThat(after.secondsSince(before)).isZero();
  }
}
