package dev.ferry.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The figures of one broker in one round, with latency histograms and anything that went wrong. */
public final class RunResult {

  private final String target;
  private final int round;
  private final String phase;
  private final Map<Figure, Double> values = new EnumMap<>(Figure.class);
  private final Map<String, Histogram> latencies = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private double loadAverage = Double.NaN;

  public RunResult(String target, int round) {
    this(target, round, "");
  }

  /**
   * @param phase "" for the single-node rounds, "cluster" for workload 6's rounds: a target has one
   *     result per round of each phase
   */
  public RunResult(String target, int round, String phase) {
    this.target = target;
    this.round = round;
    this.phase = phase;
  }

  public String phase() {
    return phase;
  }

  /** "kafka round 2", "ferry cluster round 1": for notes and progress lines. */
  public String describe() {
    return target + (phase.isEmpty() ? "" : " " + phase) + " round " + round;
  }

  /** "kafka-r2", "ferry-cluster-r1": stem of the raw-result file. */
  public String fileStem() {
    return target + (phase.isEmpty() ? "" : "-" + phase) + "-r" + round;
  }

  public String target() {
    return target;
  }

  public int round() {
    return round;
  }

  public synchronized void put(Figure figure, double value) {
    if (Double.isFinite(value)) {
      values.put(figure, value);
    }
  }

  public synchronized Double get(Figure figure) {
    return values.get(figure);
  }

  public synchronized Map<Figure, Double> values() {
    return Collections.unmodifiableMap(new EnumMap<>(values));
  }

  /** Latency histogram (µs) of one load level: "high" or "low". */
  public synchronized void putLatency(String load, Histogram histogram) {
    latencies.put(load, histogram);
  }

  public synchronized Map<String, Histogram> latencies() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(latencies));
  }

  /** The machine's 1-min load average when the run started: context for noisy numbers. */
  public synchronized void loadAverage(double value) {
    loadAverage = value;
  }

  public synchronized double loadAverage() {
    return loadAverage;
  }

  public synchronized void note(String note) {
    notes.add(note);
  }

  public synchronized List<String> notes() {
    return List.copyOf(notes);
  }
}
