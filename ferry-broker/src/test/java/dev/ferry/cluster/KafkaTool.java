package dev.ferry.cluster;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.internals.Exit;

/**
 * Runs one of Kafka's command-line tools (kafka-tools artifact) in this JVM as its shell script
 * would: the arguments go through the tool's own parser, its action runs against {@code admin}, and
 * what it prints is returned. The tools print to {@code System.out}, which is captured for the
 * duration of the call (tests of this module run one at a time).
 */
final class KafkaTool {

  private KafkaTool() {}

  /**
   * {@code kafka-reassign-partitions.sh} ({@code ReassignPartitionsCommand}): parse, then act.
   *
   * @throws AssertionError with the tool's output if it fails
   */
  static String reassign(Admin admin, String... args) throws Exception {
    Class<?> command = Class.forName("org.apache.kafka.tools.reassign.ReassignPartitionsCommand");
    Method parse = command.getDeclaredMethod("validateAndParseArgs", String[].class);
    parse.setAccessible(true);
    Class<?> options =
        Class.forName("org.apache.kafka.tools.reassign.ReassignPartitionsCommandOptions");
    Method act = command.getDeclaredMethod("handleAction", Admin.class, options);
    act.setAccessible(true);
    String[] withBootstrap = new String[args.length + 2];
    withBootstrap[0] = "--bootstrap-server";
    withBootstrap[1] = "unused:9092"; // the admin client passed in is used instead
    System.arraycopy(args, 0, withBootstrap, 2, args.length);
    return capture(
        () -> {
          Object opts = parse.invoke(null, (Object) withBootstrap);
          act.invoke(null, admin, opts);
        });
  }

  /**
   * A tool with a {@code mainNoExit(String...)} entry point (kafka-leader-election.sh,
   * kafka-log-dirs.sh, kafka-features.sh, ...), run with {@code args} as on the command line.
   *
   * @throws AssertionError with the tool's output if it exits non-zero
   */
  static String main(String toolClass, String... args) throws Exception {
    Method main = Class.forName(toolClass).getDeclaredMethod("mainNoExit", String[].class);
    main.setAccessible(true);
    int[] code = new int[1];
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream savedErr = System.err;
    String out;
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setErr(e);
      out = capture(() -> code[0] = (int) main.invoke(null, (Object) args));
    } finally {
      System.setErr(savedErr);
    }
    if (code[0] != 0) {
      throw new AssertionError(
          toolClass
              + " exited with "
              + code[0]
              + "; output: "
              + out
              + "; errors: "
              + err.toString(StandardCharsets.UTF_8));
    }
    return out;
  }

  /**
   * {@code kafka-configs.sh} ({@code ConfigCommand}): its options parsed and checked, then the
   * alter or describe action against {@code admin}.
   */
  static String configs(Admin admin, String... args) throws Exception {
    Class<?> command = Class.forName("org.apache.kafka.tools.ConfigCommand");
    Class<?> options = Class.forName("org.apache.kafka.tools.ConfigCommand$ConfigCommandOptions");
    String[] withBootstrap = new String[args.length + 2];
    withBootstrap[0] = "--bootstrap-server";
    withBootstrap[1] = "unused:9092";
    System.arraycopy(args, 0, withBootstrap, 2, args.length);
    var ctor = options.getDeclaredConstructor(String[].class);
    ctor.setAccessible(true);
    Object opts = ctor.newInstance((Object) withBootstrap);
    Method check = options.getMethod("checkArgs");
    check.setAccessible(true); // public, but of a package-private class
    check.invoke(opts);
    boolean alter = java.util.Arrays.asList(args).contains("--alter");
    Method act =
        command.getDeclaredMethod(alter ? "alterConfig" : "describeConfig", Admin.class, options);
    act.setAccessible(true);
    return capture(() -> act.invoke(null, admin, opts));
  }

  /**
   * A tool whose only entry point is {@code main(String[])} and which exits only on failure
   * (kafka-acls.sh's {@code AclCommand}, kafka-configs.sh's {@code ConfigCommand}), run with {@code
   * args} exactly as on the command line: it builds its own Admin client from {@code
   * --bootstrap-server} and {@code --command-config}. The broker runs in this JVM and logs to the
   * same {@code System.out}: its log lines (logback-test.xml's pattern) are left out of the result.
   *
   * @throws AssertionError with the tool's output if it exits
   */
  static String command(String toolClass, String... args) throws Exception {
    Method main = Class.forName(toolClass).getMethod("main", String[].class);
    String out = capture(() -> main.invoke(null, (Object) args));
    StringBuilder toolOutput = new StringBuilder();
    for (String line : out.split("(?<=\\n)")) {
      if (!BROKER_LOG_LINE.matcher(line).find()) {
        toolOutput.append(line);
      }
    }
    return toolOutput.toString();
  }

  /**
   * A tool whose {@code main(String[])} always ends in {@code Exit.exit(code)}, even on success
   * (kafka-client-metrics.sh's {@code ClientMetricsCommand}), run with {@code args} as on the
   * command line; the broker's log lines are left out of what it printed.
   *
   * @throws AssertionError with the tool's output if it exits non-zero
   */
  static String exiting(String toolClass, String... args) throws Exception {
    Method main = Class.forName(toolClass).getMethod("main", String[].class);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int[] code = {-1};
    Exit.setExitProcedure(
        (c, message) -> {
          // The first exit is the tool's verdict; main's own exit after it sees our exception.
          if (code[0] == -1) {
            code[0] = c;
          }
          throw new ToolExit();
        });
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      System.setOut(print);
      main.invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      if (!(e.getCause() instanceof ToolExit)) {
        throw new AssertionError(
            "tool failed; output: " + out.toString(StandardCharsets.UTF_8), e.getCause());
      }
    } finally {
      System.setOut(saved);
      Exit.resetExitProcedure();
    }
    StringBuilder toolOutput = new StringBuilder();
    for (String line : out.toString(StandardCharsets.UTF_8).split("(?<=\\n)")) {
      if (!BROKER_LOG_LINE.matcher(line).find()) {
        toolOutput.append(line);
      }
    }
    if (code[0] != 0) {
      throw new AssertionError(toolClass + " exited with " + code[0] + "; output: " + toolOutput);
    }
    return toolOutput.toString();
  }

  /** Thrown by the exit procedure to end a tool's run where it calls {@code Exit.exit}. */
  private static final class ToolExit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ToolExit() {
      super(null, null, false, false);
    }
  }

  /** The start of a line of logback-test.xml's pattern: time, level, [thread]. */
  private static final Pattern BROKER_LOG_LINE =
      Pattern.compile("^\\d{2}:\\d{2}:\\d{2}\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) +\\[");

  interface ToolCall {
    void run() throws Exception;
  }

  static String capture(ToolCall call) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    Exit.setExitProcedure(
        (code, message) -> {
          throw new AssertionError("tool exited with " + code + ": " + message);
        });
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      System.setOut(print);
      call.run();
    } catch (InvocationTargetException e) {
      throw new AssertionError(
          "tool failed; output: " + out.toString(StandardCharsets.UTF_8), e.getCause());
    } finally {
      System.setOut(saved);
      Exit.resetExitProcedure();
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
