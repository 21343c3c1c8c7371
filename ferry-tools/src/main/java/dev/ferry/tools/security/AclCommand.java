package dev.ferry.tools.security;

import picocli.CommandLine.Command;

/** {@code ferry acl ...}: ACL administration, like kafka-acls.sh (needs an authorizer). */
@Command(
    name = "acl",
    mixinStandardHelpOptions = true,
    description = "Create, list and delete ACLs (the cluster needs authorizer.class.name set).",
    subcommands = {AclCreateCommand.class, AclListCommand.class, AclDeleteCommand.class})
public final class AclCommand {}
