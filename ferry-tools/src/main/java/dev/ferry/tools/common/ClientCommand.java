package dev.ferry.tools.common;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of every command that talks to a cluster: the shared client and output options, the
 * picocli-provided output streams (so tests capture them), and the error policy — any failure is
 * one line on stderr prefixed {@code ferry: error:} and exit code 1; a bad argument is exit code 2.
 */
public abstract class ClientCommand implements Callable<Integer> {

  /** Exit code of a failed command (bad arguments exit with {@code CommandLine.ExitCode.USAGE}). */
  public static final int FAILED = 1;

  @Mixin protected ClientOptions client;

  @Mixin protected OutputOptions output;

  @Spec protected CommandSpec spec;

  @Override
  public final Integer call() {
    try {
      return run();
    } catch (CommandLine.ParameterException e) {
      throw e; // picocli prints it as a usage error
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err().println("ferry: error: interrupted");
      err().flush();
      return FAILED;
    } catch (Exception e) {
      err().println("ferry: error: " + Errors.describe(e, client));
      err().flush();
      return FAILED;
    }
  }

  /** Does the command's work; returns the exit code. */
  protected abstract int run() throws Exception;

  /** Whether {@code --output json} was asked for. */
  public boolean outputJson() {
    return output.json();
  }

  /** The command's standard output (for shared printers). */
  public PrintWriter output() {
    return out();
  }

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  protected PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** A usage error found after parsing (conflicting or missing options): exit code 2. */
  protected CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
