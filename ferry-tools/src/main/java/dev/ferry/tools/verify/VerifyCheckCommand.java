package dev.ferry.tools.verify;

import dev.ferry.tools.common.CliException;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.verify.CheckReport;
import dev.ferry.verify.LedgerFile;
import dev.ferry.verify.WorkloadChecker;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry verify check}: the second half of a split run. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Read the topic of a 'ferry verify produce' run from the beginning and compare it with "
          + "the acknowledgements in its --ledger.",
      "Exit code 1 if any acknowledged record is lost, moved, duplicated or reordered, or a "
          + "record never sent (or aborted) is read."
    })
public final class VerifyCheckCommand extends ClientCommand {

  @Option(
      names = "--ledger",
      required = true,
      paramLabel = "FILE",
      description = "The ledger 'ferry verify produce' wrote.")
  Path ledger;

  @Override
  protected int run() throws Exception {
    LedgerFile.Contents contents;
    try {
      contents = LedgerFile.read(ledger);
    } catch (NoSuchFileException e) {
      throw new CliException("no ledger " + ledger);
    } catch (IOException e) {
      throw new CliException("cannot read ledger " + ledger + ": " + e.getMessage());
    }
    LedgerFile.Header h = contents.header();
    WorkloadChecker.Settings settings =
        new WorkloadChecker.Settings(
                h.topic(), h.partitions(), h.producers(), 0, Duration.ZERO, (short) 1, Map.of())
            .withClientProperties(Workloads.clientProperties(client))
            .withTransactions(h.transactional())
            .withRunTag(h.runId());
    CheckReport report =
        WorkloadChecker.checkLedger(
            () -> client.bootstrapServer, settings, contents.ledgers(), Duration.ofMinutes(5));
    ReportPrinter.print(out(), output.json(), h.runId(), h.topic(), report);
    return report.ok() ? 0 : FAILED;
  }
}
