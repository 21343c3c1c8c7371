package dev.ferry.bench.report;

import java.util.Collection;
import java.util.function.ToDoubleFunction;

/** Summary statistics of repeated rounds. */
public final class Stats {

  private Stats() {}

  /** The median of one figure over the rounds that measured it (NaN ones skipped), NaN if none. */
  public static <T> double median(Collection<T> rounds, ToDoubleFunction<T> figure) {
    double[] v =
        rounds.stream().mapToDouble(figure).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
