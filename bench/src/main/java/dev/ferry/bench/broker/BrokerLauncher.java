package dev.ferry.bench.broker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Knows how to lay out one broker's config and data directory and start its JVM. */
public interface BrokerLauncher {

  /** Short lower-case name used in reports and file names: "kafka", "ferry". */
  String name();

  /** Human name with version for the report. */
  String displayName();

  /**
   * JVM options this broker's own launcher adds on top of the flags every broker gets (e.g. from
   * its shipped options file); reported with the settings.
   */
  default List<String> ownJvmOptions() {
    return List.of();
  }

  /**
   * Writes configuration under {@code runDir}, prepares a fresh data directory and starts the
   * broker. Returns as soon as the process is forked; readiness is the caller's business.
   */
  BrokerProcess launch(Path runDir, BrokerSettings settings)
      throws IOException, InterruptedException;
}
