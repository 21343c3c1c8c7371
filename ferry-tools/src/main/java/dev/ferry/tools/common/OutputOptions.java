package dev.ferry.tools.common;

import picocli.CommandLine.Option;

/** {@code --output table|json}: aligned tables for people, JSON for scripts. */
public final class OutputOptions {

  public enum Format {
    table,
    json
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  public Format format;

  public boolean json() {
    return format == Format.json;
  }
}
