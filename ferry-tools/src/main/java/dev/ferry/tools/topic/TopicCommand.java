package dev.ferry.tools.topic;

import picocli.CommandLine.Command;

/** {@code ferry topic ...}: a group of subcommands, nothing to run on its own. */
@Command(
    name = "topic",
    mixinStandardHelpOptions = true,
    description = "Create, list, describe, reconfigure, grow and delete topics.",
    subcommands = {
      TopicCreateCommand.class,
      TopicListCommand.class,
      TopicDescribeCommand.class,
      TopicDeleteCommand.class,
      TopicAlterConfigCommand.class,
      TopicAddPartitionsCommand.class
    })
public final class TopicCommand {}
