package dev.ferry.server.admin;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for answering from {@link dev.ferry.controller.TopicAdmin} futures. */
public final class AdminFutures {

  private AdminFutures() {}

  /** The exception that failed an admin operation, without the future's wrapper. */
  public static Throwable cause(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
