package dev.ferry.tools.group;

import picocli.CommandLine.Command;

/** {@code ferry group ...}: consumer-group administration, like kafka-consumer-groups. */
@Command(
    name = "group",
    mixinStandardHelpOptions = true,
    description = "List, describe, reset and delete consumer groups.",
    subcommands = {
      GroupListCommand.class,
      GroupDescribeCommand.class,
      GroupResetOffsetsCommand.class,
      GroupDeleteCommand.class
    })
public final class GroupCommand {}
