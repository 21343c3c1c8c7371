package dev.ferry.bench.report;

import java.util.List;
import java.util.Map;

/**
 * What the report says besides the figures: when and where it ran, with which settings.
 *
 * @param targets broker names in report column order ("kafka" first: the reference)
 * @param displayNames broker name → name with version
 * @param skipped broker name → why it has no numbers (not run, failed to start…)
 * @param limits physical limits measured on this machine, label → value
 * @param clusterRounds rounds of workload 6 (three-broker cluster); 0 when not run
 * @param clusterSkipped broker name → why it has no cluster numbers
 */
public record ReportContext(
    String generatedAt,
    String machine,
    int rounds,
    String duration,
    List<String> targets,
    Map<String, String> displayNames,
    Map<String, String> skipped,
    List<String> settings,
    Map<String, String> limits,
    List<String> charts,
    int clusterRounds,
    Map<String, String> clusterSkipped) {}
