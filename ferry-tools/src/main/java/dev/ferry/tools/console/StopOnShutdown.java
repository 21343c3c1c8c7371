package dev.ferry.tools.console;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * Lets Ctrl-C or SIGTERM end a poll loop the normal way: the JVM's shutdown wakes the consumer (its
 * poll throws {@code WakeupException}) and waits, briefly, until the loop has finished — so a group
 * consumer still commits what it printed.
 */
final class StopOnShutdown implements AutoCloseable {

  private static final long GRACE_SECONDS = 10;

  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  StopOnShutdown(Consumer<?, ?> consumer) {
    hook =
        new Thread(
            () -> {
              consumer.wakeup();
              try {
                finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "ferry-consume-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The loop is done: shutdown need not wait any more. */
  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running (or ran): nothing to remove
    }
  }
}
