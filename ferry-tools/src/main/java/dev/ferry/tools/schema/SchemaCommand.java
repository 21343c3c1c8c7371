package dev.ferry.tools.schema;

import picocli.CommandLine.Command;

/** {@code ferry schema ...}: the schema registry's subjects and schemas. */
@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    description = "Register, list, get and check schemas in a schema registry.",
    subcommands = {
      SchemaRegisterCommand.class,
      SchemaListCommand.class,
      SchemaGetCommand.class,
      SchemaCheckCommand.class
    })
public final class SchemaCommand {}
