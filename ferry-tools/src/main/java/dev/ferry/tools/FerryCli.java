package dev.ferry.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command: one entry point, a subcommand per job. */
@Command(
    name = "ferry",
    mixinStandardHelpOptions = true,
    versionProvider = FerryCli.Version.class,
    description = "Ferry: a Kafka-compatible commit-log broker.",
    subcommands = {StartCommand.class, CommandLine.HelpCommand.class})
public final class FerryCli {

  public static void main(String[] args) {
    System.exit(new CommandLine(new FerryCli()).execute(args));
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = FerryCli.class.getPackage().getImplementationVersion();
      return new String[] {"ferry " + (v == null ? "dev" : v)};
    }
  }
}
