package dev.ferry.tools.verify;

import picocli.CommandLine.Command;

/** {@code ferry verify ...}: does a cluster keep what it acknowledged? */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check that a Kafka-API cluster (Ferry, Apache Kafka, ...) keeps what it acknowledges: "
          + "numbered records are produced, read back, and compared with the acknowledgements.",
      "Reports lost, duplicated, reordered and phantom records; exit code 1 on any."
    },
    subcommands = {VerifyRunCommand.class, VerifyProduceCommand.class, VerifyCheckCommand.class})
public final class VerifyCommand {}
