package dev.ferry.tools.verify;

import dev.ferry.tools.common.CliException;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Json;
import dev.ferry.verify.LedgerFile;
import dev.ferry.verify.WorkloadChecker;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ferry verify produce}: the first half of a split run, acknowledgements to a ledger. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = {
      "Produce numbered records as 'verify run' does, and write every acknowledgement to "
          + "--ledger before counting it. Later (after a restart, a maintenance, a failure), "
          + "'ferry verify check --ledger FILE' reads the topic back and compares.",
      "The topic is kept."
    })
public final class VerifyProduceCommand extends ClientCommand {

  @Mixin WorkloadOptions workload;

  @Option(
      names = "--ledger",
      required = true,
      paramLabel = "FILE",
      description = "Where to write the acknowledgements; must not exist.")
  Path ledger;

  @Override
  protected int run() throws Exception {
    String problem = workload.problem();
    if (problem != null) {
      throw usage(problem);
    }
    String runId = Workloads.newRunId();
    String topic = workload.topic == null ? "ferry-verify-" + runId : workload.topic;
    Workloads.checkExistingTopic(client, topic, workload.partitions);
    Duration delivery = Workloads.deliveryTimeout(client);
    WorkloadChecker.Settings settings =
        workload.settings(runId, topic, Workloads.clientProperties(client), delivery);
    long acknowledged;
    long sent;
    try (LedgerFile file = createLedger(runId, topic);
        WorkloadChecker checker =
            new WorkloadChecker(() -> client.bootstrapServer, settings, file)) {
      checker.start(Duration.ofMillis(3L * client.requestTimeoutMs), false);
      Workloads.produceFor(checker, workload.duration, delivery, err());
      acknowledged = checker.acknowledged();
      sent = checker.sent();
    }
    if (output.json()) {
      Json.print(
          out(),
          Json.object()
              .put("runId", runId)
              .put("topic", topic)
              .put("ledger", ledger.toString())
              .put("sent", sent)
              .put("acknowledged", acknowledged));
    } else {
      out()
          .printf(
              "ferry verify: run %s wrote %,d of %,d records to topic %s with acknowledgement;"
                  + " ledger %s%n",
              runId, acknowledged, sent, topic, ledger);
      out().flush();
    }
    return 0;
  }

  private LedgerFile createLedger(String runId, String topic) throws java.io.IOException {
    try {
      return LedgerFile.create(
          ledger,
          new LedgerFile.Header(
              runId, topic, workload.partitions, workload.producers, workload.transactional));
    } catch (FileAlreadyExistsException e) {
      throw new CliException("ledger " + ledger + " already exists");
    }
  }
}
