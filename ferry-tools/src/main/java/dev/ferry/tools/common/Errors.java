package dev.ferry.tools.common;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Turns whatever a command threw into the one line the operator sees. */
public final class Errors {

  private Errors() {}

  /** One line, no stack trace, naming the broker when the cluster did not answer. */
  public static String describe(Throwable t, ClientOptions client) {
    Throwable cause = unwrap(t);
    String message;
    if (cause instanceof CliException) {
      message = cause.getMessage();
    } else if (cause instanceof TimeoutException
        || cause instanceof java.util.concurrent.TimeoutException) {
      message =
          client == null
              ? "timed out: " + cause.getMessage()
              : "no answer from "
                  + client.bootstrapServer
                  + " within "
                  + client.requestTimeoutMs
                  + " ms (is the broker running and reachable?): "
                  + cause.getMessage();
    } else if (cause instanceof UnknownTopicOrPartitionException) {
      message = "unknown topic or partition: " + cause.getMessage();
    } else if (cause.getMessage() == null || cause.getMessage().isBlank()) {
      message = cause.getClass().getSimpleName();
    } else if (cause instanceof KafkaException) {
      message = cause.getMessage();
    } else {
      message = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
    return message.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  /** The exception a future or a wrapper stands for. */
  public static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof ExecutionException
            || cause instanceof CompletionException
            || (cause.getClass() == KafkaException.class && cause.getCause() != null))
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
