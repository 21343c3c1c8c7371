package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {

  @Test
  void percentileAxisLabelsAreDistinctAndReadable() {
    assertThat(Charts.percentileLabel(0)).isEqualTo("0%");
    assertThat(Charts.percentileLabel(1)).isEqualTo("90%");
    assertThat(Charts.percentileLabel(2)).isEqualTo("99%");
    assertThat(Charts.percentileLabel(3)).isEqualTo("99.9%");
    assertThat(Charts.percentileLabel(4)).isEqualTo("99.99%");
    assertThat(Charts.percentileLabel(5)).isEqualTo("max");
    Set<String> labels = new HashSet<>();
    for (int i = 0; i <= 50; i++) {
      labels.add(Charts.percentileLabel(i / 10.0));
    }
    assertThat(labels).hasSize(51); // XChart loops forever on duplicate tick labels
  }

  @Test
  void writesPngChartsForTheFiguresPresent(@TempDir Path dir) throws Exception {
    RunResult kafka = new RunResult("kafka", 1);
    kafka.put(Figure.B1_MSGS, 5_000);
    kafka.put(Figure.MOD_CPU, 20);
    Histogram h = new Histogram(60_000_000, 3);
    for (int i = 1; i <= 1000; i++) {
      h.recordValue(i * 10L);
    }
    kafka.putLatency("high", h);

    List<String> written =
        Charts.writeAll(dir, new Summary(List.of(kafka)), List.of("kafka", "ferry"));

    assertThat(written).containsExactly("throughput.png", "broker-cpu.png", "latency-high.png");
    for (String file : written) {
      byte[] png = Files.readAllBytes(dir.resolve(file));
      assertThat(png).hasSizeGreaterThan(1000);
      assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("PNG");
    }
    assertThat(dir.resolve("latency-low.png")).doesNotExist();
  }
}
