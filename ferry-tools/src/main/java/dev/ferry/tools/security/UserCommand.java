package dev.ferry.tools.security;

import picocli.CommandLine.Command;

/** {@code ferry user ...}: SCRAM users, like kafka-configs.sh --entity-type users. */
@Command(
    name = "user",
    mixinStandardHelpOptions = true,
    description = "Create, list and delete SCRAM users (salted credentials stored by the cluster).",
    subcommands = {UserCreateCommand.class, UserListCommand.class, UserDeleteCommand.class})
public final class UserCommand {}
