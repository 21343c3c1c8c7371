package dev.ferry.reliability;

import dev.ferry.verify.CheckReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a failed fault run leaves for its investigation, built only when the check failed: every
 * broker's output (all incarnations) under {@code target/fault-logs/}, and, for each anomaly the
 * checker described, the batches around its offsets on every replica, with their producer fields.
 * The text goes into the assertion message, so that a CI log that shows only the failure still
 * tells which writes collided. {@code -Dferry.faults.keepLogs=true} writes the broker output of a
 * passing run too.
 */
final class FailureEvidence {

  private static final int CONTEXT_BATCHES = 2;

  private FailureEvidence() {}

  /**
   * @param run names the output directory, e.g. {@code cluster-<seed>}
   * @param brokers stopped brokers, whose data directories are read
   */
  static String collect(String run, List<ManagedBroker> brokers, String topic, CheckReport report) {
    boolean keepLogs = Boolean.getBoolean("ferry.faults.keepLogs");
    if (report.ok() && !keepLogs) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    Path logs = Path.of("target", "fault-logs", run).toAbsolutePath();
    try {
      Files.createDirectories(logs);
      for (ManagedBroker b : brokers) {
        Files.write(logs.resolve("broker-" + b.brokerId() + ".log"), b.output());
      }
      out.append("\nBroker output: ").append(logs);
    } catch (IOException e) {
      out.append("\nCould not write broker output to ").append(logs).append(": ").append(e);
    }
    for (CheckReport.Anomaly a : report.anomalies()) {
      out.append("\n").append(a.description());
      for (ManagedBroker b : brokers) {
        Path dir = b.logDir().resolve(topic + "-" + a.partition());
        if (!Files.isDirectory(dir)) {
          continue;
        }
        try {
          for (ReplicaFingerprint.Batch batch :
              ReplicaFingerprint.of(dir).around(a.offsets(), CONTEXT_BATCHES)) {
            out.append("\n  broker ").append(b.brokerId()).append(": ").append(batch);
          }
        } catch (RuntimeException e) {
          out.append("\n  broker ").append(b.brokerId()).append(": unreadable (").append(e);
          out.append(")");
        }
      }
    }
    return out.toString();
  }
}
