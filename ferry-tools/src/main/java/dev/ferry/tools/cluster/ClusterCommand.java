package dev.ferry.tools.cluster;

import picocli.CommandLine.Command;

/** {@code ferry cluster ...}. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "Inspect the cluster.",
    subcommands = {ClusterInfoCommand.class})
public final class ClusterCommand {}
