package dev.ferry.tools.verify;

import dev.ferry.tools.common.ClientCommand;
import dev.ferry.verify.CheckReport;
import dev.ferry.verify.WorkloadChecker;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ferry verify run}: produce, consume along, read back, compare; one process. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Produce numbered records with idempotent (or transactional) producers for --duration, "
          + "read them while they are written and once more from the beginning, and compare "
          + "with what the cluster acknowledged.",
      "Prints the counts and the first anomalies with partition and offset; exit code 1 if "
          + "any acknowledged record is lost, moved, duplicated or reordered, or a record never "
          + "sent (or aborted) is read."
    })
public final class VerifyRunCommand extends ClientCommand {

  @Mixin WorkloadOptions workload;

  @Override
  protected int run() throws Exception {
    String problem = workload.problem();
    if (problem != null) {
      throw usage(problem);
    }
    String runId = Workloads.newRunId();
    boolean ownTopic = workload.topic == null;
    String topic = ownTopic ? "ferry-verify-" + runId : workload.topic;
    Workloads.checkExistingTopic(client, topic, workload.partitions);
    Duration delivery = Workloads.deliveryTimeout(client);
    WorkloadChecker.Settings settings =
        workload.settings(runId, topic, Workloads.clientProperties(client), delivery);
    err()
        .printf(
            "ferry verify: run %s, topic %s, %d producers x %d records/s%s for %d s%n",
            runId,
            topic,
            workload.producers,
            workload.rate,
            workload.transactional ? " in transactions" : "",
            workload.duration.toSeconds());
    CheckReport report;
    try (WorkloadChecker checker = new WorkloadChecker(() -> client.bootstrapServer, settings)) {
      checker.start(Duration.ofMillis(3L * client.requestTimeoutMs));
      Workloads.produceFor(checker, workload.duration, delivery, err());
      report = checker.check(Duration.ofMinutes(5));
    }
    ReportPrinter.print(out(), output.json(), runId, topic, report);
    if (report.ok() && ownTopic) {
      Workloads.deleteTopic(client, topic, err());
    }
    return report.ok() ? 0 : FAILED;
  }
}
