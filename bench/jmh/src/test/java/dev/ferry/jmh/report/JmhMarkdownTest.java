package dev.ferry.jmh.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class JmhMarkdownTest {

  /** Two results as JMH 1.37 writes them (fields the renderer does not read left out). */
  private static final String RESULTS =
      """
      [
        {
          "jmhVersion": "1.37", "benchmark": "dev.ferry.jmh.AppendBenchmark.append",
          "mode": "thrpt", "forks": 1, "jdkVersion": "17.0.15", "vmName": "OpenJDK 64-Bit Server VM",
          "warmupIterations": 3, "warmupTime": "1 s", "measurementIterations": 5,
          "measurementTime": "1 s",
          "params": {"compression": "none", "recordsPerBatch": "50"},
          "primaryMetric": {"score": 71555.329, "scoreError": 1234.5, "scoreUnit": "ops/s"},
          "secondaryMetrics": {
            "bytes": {"score": 752118066.301, "scoreError": 1.0, "scoreUnit": "ops/s"},
            "cpu.time.norm": {"score": 13021.7, "scoreError": 99.0, "scoreUnit": "ns/op"}
          }
        },
        {
          "jmhVersion": "1.37", "benchmark": "dev.ferry.storage.IndexLookupBenchmark.offsetIndexLookup",
          "mode": "avgt", "forks": 1,
          "params": {"indexBytes": "10485760"},
          "primaryMetric": {"score": 61.234, "scoreError": 2.345, "scoreUnit": "ns/op"},
          "secondaryMetrics": {}
        }
      ]
      """;

  @Test
  void rendersOneTablePerClassWithMegabytesFromTheBytesCounter() throws Exception {
    JsonNode results = new ObjectMapper().readTree(RESULTS);

    String md = JmhMarkdown.render(results, List.of("Command: `bench/jmh/run`"));

    assertThat(md)
        .startsWith("# Ferry storage microbenchmarks (JMH)\n\nCommand: `bench/jmh/run`  \n")
        .contains(
            "JMH 1.37, OpenJDK 64-Bit Server VM 17.0.15; 1 fork(s), warm-up 3 × 1 s,"
                + " measurement 5 × 1 s per row.")
        .contains(
            "\n## AppendBenchmark\n",
            "| benchmark | parameters | score | ± | unit | CPU ns/op | MB/s | bytes/op |\n",
            "| append | compression=none, recordsPerBatch=50 | 71,555 | 1,235 | ops/s | 13,022 |"
                + " 752 | 10,511 |\n",
            "\n## IndexLookupBenchmark\n",
            "| benchmark | parameters | score | ± | unit |\n",
            "| offsetIndexLookup | indexBytes=10485760 | 61.2 | 2.35 | ns/op |\n");
    assertThat(md.indexOf("## AppendBenchmark")).isLessThan(md.indexOf("## IndexLookupBenchmark"));
  }

  @Test
  void formatsNumbersWithThreeSignificantDigitsAtLeast() {
    assertThat(JmhMarkdown.number(1234567.8)).isEqualTo("1,234,568");
    assertThat(JmhMarkdown.number(612.4)).isEqualTo("612");
    assertThat(JmhMarkdown.number(48.74)).isEqualTo("48.7");
    assertThat(JmhMarkdown.number(3.214)).isEqualTo("3.21");
    assertThat(JmhMarkdown.number(Double.NaN)).isEqualTo("–");
  }
}
