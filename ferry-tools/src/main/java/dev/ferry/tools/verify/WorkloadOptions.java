package dev.ferry.tools.verify;

import dev.ferry.verify.WorkloadChecker;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** What {@code verify run} and {@code verify produce} write, and how fast. */
final class WorkloadOptions {

  @Option(
      names = {"-t", "--topic"},
      paramLabel = "TOPIC",
      description =
          "Topic to write to; created if absent (default: a new topic ferry-verify-RUN, deleted"
              + " after a passing run). Records carry the run id as their key, so runs can share"
              + " a topic.")
  String topic;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long to produce: 500ms, 60s, 5m... (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "3",
      description = "Partitions of a created topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--replication-factor",
      paramLabel = "N",
      defaultValue = "1",
      description = "Replication factor of a created topic (default: ${DEFAULT-VALUE}).")
  short replicationFactor;

  @Option(
      names = "--topic-config",
      paramLabel = "KEY=VALUE",
      description = "A config of a created topic, e.g. min.insync.replicas=2; repeatable.")
  Map<String, String> topicConfigs = new LinkedHashMap<>();

  @Option(
      names = "--producers",
      paramLabel = "N",
      defaultValue = "3",
      description = "Concurrent producers (default: ${DEFAULT-VALUE}).")
  int producers;

  @Option(
      names = "--rate",
      paramLabel = "RECORDS/S",
      defaultValue = "200",
      description = "Records per second per producer; 0 for no cap (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--transactional",
      description =
          "Write transactions of 10 records (every 5th aborted on purpose) and read with"
              + " read_committed: committed records must all be there, aborted ones never.")
  boolean transactional;

  @Option(
      names = "--producer-property",
      paramLabel = "KEY=VALUE",
      description =
          "A producer setting over the defaults (acks=all, idempotence on), e.g. acks=1;"
              + " repeatable.")
  Map<String, String> producerProperties = new LinkedHashMap<>();

  /** Checks what picocli cannot; returns an error message, or null. */
  String problem() {
    if (partitions < 1 || partitions > 0xFFFF) {
      return "--partitions must be between 1 and 65535";
    }
    if (replicationFactor < 1) {
      return "--replication-factor must be positive";
    }
    if (producers < 1 || producers > 1_000) {
      return "--producers must be between 1 and 1000";
    }
    if (rate < 0) {
      return "--rate must not be negative";
    }
    return null;
  }

  WorkloadChecker.Settings settings(
      String runId, String topicName, Map<String, Object> clientProperties, Duration delivery) {
    return new WorkloadChecker.Settings(
            topicName, partitions, producers, rate, delivery, replicationFactor, topicConfigs)
        .withClientProperties(clientProperties)
        .withProducerProperties(new HashMap<>(producerProperties))
        .withTransactions(transactional)
        .withRunTag(runId);
  }
}
