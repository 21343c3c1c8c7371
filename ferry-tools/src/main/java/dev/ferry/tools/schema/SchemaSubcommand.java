package dev.ferry.tools.schema;

import dev.ferry.tools.common.CliException;
import dev.ferry.tools.common.OutputOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Base of the {@code ferry schema} commands: the registry's URL, optional Basic credentials, the
 * output format, and the same error policy as the other commands (one {@code ferry: error:} line,
 * exit code 1).
 */
abstract class SchemaSubcommand implements Callable<Integer> {

  @Option(
      names = {"-r", "--registry-url"},
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:8081",
      description =
          "The schema registry (the broker's schema.registry.port, or any Confluent-compatible"
              + " registry; default: ${DEFAULT-VALUE}).")
  String registryUrl;

  @Option(
      names = "--user-info",
      paramLabel = "USER:PASSWORD",
      description = "HTTP Basic credentials, when the registry requires them.")
  String userInfo;

  @Mixin OutputOptions output;

  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    try {
      return run(new RegistryHttp(registryUrl, userInfo));
    } catch (CommandLine.ParameterException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    } catch (CliException | IOException e) {
      return fail(e.getMessage());
    }
  }

  abstract int run(RegistryHttp registry) throws IOException, InterruptedException;

  private int fail(String message) {
    err().println("ferry: error: " + message);
    err().flush();
    return 1;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
