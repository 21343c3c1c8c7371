package dev.ferry.runtime;

/**
 * Ends the broker process at once, without shutdown hooks: what the broker does when it can no
 * longer serve anything safely (every log dir failed). An orderly shutdown would write clean
 * shutdown markers and checkpoints over files that no longer match the in-memory state; halting
 * leaves them for the next start's recovery, as Kafka's {@code Exit.halt} does. Tests substitute a
 * recorder.
 */
@FunctionalInterface
public interface ProcessHalt {

  /** The real one: {@link Runtime#halt}. */
  ProcessHalt RUNTIME = status -> Runtime.getRuntime().halt(status);

  /** Stops the process with {@code status}; does not return in production. */
  void halt(int status);
}
