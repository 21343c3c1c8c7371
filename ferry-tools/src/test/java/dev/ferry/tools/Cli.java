package dev.ferry.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs {@code ferry} in-process with captured stdout and stderr. */
final class Cli {

  static final ObjectMapper JSON = new ObjectMapper();

  private Cli() {}

  /** What one invocation did. */
  record Result(int exitCode, String out, String err) {

    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("stdout is not JSON: " + out, e);
      }
    }

    /** Output lines, trailing blanks dropped. */
    List<String> lines() {
      return Arrays.stream(out.split("\n")).filter(l -> !l.isBlank()).toList();
    }

    /** Each line of stdout parsed as JSON (JSON Lines). */
    List<JsonNode> jsonLines() {
      List<JsonNode> nodes = new ArrayList<>();
      for (String line : lines()) {
        try {
          nodes.add(JSON.readTree(line));
        } catch (Exception e) {
          throw new AssertionError("not a JSON line: " + line, e);
        }
      }
      return nodes;
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        FerryCli.newCommandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** {@code args} against {@code bootstrap}, with a short client timeout. */
  static Result on(String bootstrap, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--bootstrap-server=" + bootstrap);
    all.add("--request-timeout-ms=10000");
    return run(all.toArray(String[]::new));
  }
}
