package dev.ferry.tools;

import dev.ferry.broker.BrokerMain;
import dev.ferry.tools.cluster.ClusterCommand;
import dev.ferry.tools.common.Errors;
import dev.ferry.tools.console.ConsumeCommand;
import dev.ferry.tools.console.ProduceCommand;
import dev.ferry.tools.group.GroupCommand;
import dev.ferry.tools.log.DumpLogCommand;
import dev.ferry.tools.perf.PerfCommand;
import dev.ferry.tools.schema.SchemaCommand;
import dev.ferry.tools.security.AclCommand;
import dev.ferry.tools.security.UserCommand;
import dev.ferry.tools.topic.TopicCommand;
import dev.ferry.tools.verify.VerifyCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command: one entry point, a subcommand per job. */
@Command(
    name = "ferry",
    mixinStandardHelpOptions = true,
    versionProvider = FerryCli.Version.class,
    description = "Ferry: a Kafka-compatible commit-log broker, and tools for any Kafka cluster.",
    subcommands = {
      StartCommand.class,
      TopicCommand.class,
      ProduceCommand.class,
      ConsumeCommand.class,
      GroupCommand.class,
      ClusterCommand.class,
      PerfCommand.class,
      DumpLogCommand.class,
      VerifyCommand.class,
      AclCommand.class,
      UserCommand.class,
      SchemaCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FerryCli {

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("start")) {
      // Start-up time is a broker's availability after a restart, and picocli costs a quarter
      // of a second on a cold JVM (reflection over every subcommand, and its classes, built for
      // Java 5, cannot go into the class-data archive). A plain `start --config/--override` goes
      // straight to the broker's own argument reader; anything else (help, a typo) gets picocli
      // with only the start command's model.
      String[] startArgs = Arrays.copyOfRange(args, 1, args.length);
      Optional<Map<String, String>> config;
      try {
        config = BrokerMain.configFromArguments(startArgs);
      } catch (IOException e) {
        System.err.println("ferry: error: " + Errors.describe(e, null));
        System.exit(1);
        return;
      }
      if (config.isPresent()) {
        BrokerMain.run(config.get());
        System.exit(0);
      }
      CommandLine start = withErrorPolicy(new CommandLine(new StartCommand()));
      start.setCommandName("ferry start");
      System.exit(start.execute(startArgs));
    }
    System.exit(newCommandLine().execute(args));
  }

  /**
   * The command line with Ferry's error policy: a bad argument is one line on stderr and exit code
   * 2, an unexpected failure one line and exit code 1 (commands report their own failures the same
   * way).
   */
  public static CommandLine newCommandLine() {
    return withErrorPolicy(new CommandLine(new FerryCli()));
  }

  private static CommandLine withErrorPolicy(CommandLine cmd) {
    cmd.setParameterExceptionHandler(FerryCli::usageError);
    cmd.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("ferry: error: " + Errors.describe(e, null));
          commandLine.getErr().flush();
          return 1;
        });
    return cmd;
  }

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(
        "ferry: error: "
            + e.getMessage().replaceAll("\\s*\\R\\s*", " ").trim()
            + " (see '"
            + cmd.getCommandSpec().qualifiedName()
            + " --help')");
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = FerryCli.class.getPackage().getImplementationVersion();
      return new String[] {"ferry " + (v == null ? "dev" : v)};
    }
  }
}
