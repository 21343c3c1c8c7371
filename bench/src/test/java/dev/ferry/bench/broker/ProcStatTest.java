package dev.ferry.bench.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatTest {

  @Test
  void cpuTicksAreUtimePlusStimeCountedAfterTheCommandName() {
    // comm with a space and a parenthesis, as a thread name can have
    String stat =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 40 0 100 "
            + "3000000000 100000 18446744073709551615";
    assertThat(ProcStat.parseCpuTicks(stat)).isEqualTo(1234 + 567);
  }

  @Test
  void rssIsReadFromVmRssInKilobytes() {
    String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  438120 kB\nThreads:\t40\n";
    assertThat(ProcStat.parseRssKb(status)).isEqualTo(438120);
  }

  @Test
  void ownProcessHasCpuTimeAndResidentMemory() {
    long pid = ProcessHandle.current().pid();
    assertThat(ProcStat.cpuSeconds(pid)).isGreaterThan(0);
    assertThat(ProcStat.rssBytes(pid)).isGreaterThan(1 << 20);
  }

  @Test
  void goneProcessReportsNothing() {
    assertThat(ProcStat.cpuSeconds(Long.MAX_VALUE)).isNaN();
    assertThat(ProcStat.rssBytes(Long.MAX_VALUE)).isEqualTo(-1);
  }
}
