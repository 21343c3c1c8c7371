package dev.ferry.tools.common;

/**
 * A failure to report to the operator as one line, without a stack trace: unknown topic,
 * unreachable cluster, a rejected request.
 */
public class CliException extends RuntimeException {

  public CliException(String message) {
    super(message);
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
