package dev.ferry.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;
import org.HdrHistogram.Histogram;

/** Medians over rounds, the spread between rounds, and the Ferry/Kafka ratio of each figure. */
public final class Summary {

  private final List<RunResult> runs;

  public Summary(List<RunResult> runs) {
    this.runs = List.copyOf(runs);
  }

  public List<RunResult> runs() {
    return runs;
  }

  public List<Double> values(String target, Figure figure) {
    List<Double> values = new ArrayList<>();
    for (RunResult run : runs) {
      Double value = run.target().equals(target) ? run.get(figure) : null;
      if (value != null) {
        values.add(value);
      }
    }
    return values;
  }

  public OptionalDouble median(String target, Figure figure) {
    List<Double> values = values(target, figure);
    return values.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(median(values));
  }

  /** Half the range between rounds as a percentage of the median; 0 with fewer than two rounds. */
  public double spreadPercent(String target, Figure figure) {
    List<Double> values = values(target, figure);
    if (values.size() < 2) {
      return 0;
    }
    double median = median(values);
    double range = Collections.max(values) - Collections.min(values);
    return median == 0 ? 0 : 50 * range / Math.abs(median);
  }

  /** Ferry/Kafka of the medians, when both exist. */
  public OptionalDouble ratio(String numerator, String denominator, Figure figure) {
    OptionalDouble top = median(numerator, figure);
    OptionalDouble bottom = median(denominator, figure);
    if (top.isEmpty() || bottom.isEmpty() || bottom.getAsDouble() == 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(top.getAsDouble() / bottom.getAsDouble());
  }

  /** All rounds' latencies of one target and load level added together; null if none. */
  public Histogram mergedLatency(String target, String load) {
    Histogram merged = null;
    for (RunResult run : runs) {
      Histogram h = run.target().equals(target) ? run.latencies().get(load) : null;
      if (h != null) {
        if (merged == null) {
          merged =
              new Histogram(h.getHighestTrackableValue(), h.getNumberOfSignificantValueDigits());
        }
        merged.add(h);
      }
    }
    return merged;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
