package dev.ferry.tools.perf;

import picocli.CommandLine.Command;

/** {@code ferry perf ...}: load generators with live progress and latency percentiles. */
@Command(
    name = "perf",
    mixinStandardHelpOptions = true,
    description = "Measure produce and consume throughput and latency.",
    subcommands = {PerfProduceCommand.class, PerfConsumeCommand.class})
public final class PerfCommand {}
