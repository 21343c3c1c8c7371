package dev.ferry.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named daemon thread that repeats {@link #doWork} until shut down: the broker's long-lived
 * worker threads (replica fetchers) share its start, stop and error handling. {@link #doWork} does
 * one bounded round and may block waiting for work; {@link #wakeUp} must end such a wait.
 */
public abstract class LoopThread extends Thread {

  private static final Logger log = LoggerFactory.getLogger(LoopThread.class);

  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

  protected LoopThread(String name) {
    super(name);
    setDaemon(true);
  }

  /** One round of work. Interruption while {@link #isRunning()} is false ends the loop. */
  protected abstract void doWork() throws InterruptedException;

  /** Called once on this thread after the last round (release connections here). */
  protected void onStop() {}

  /** Ends a blocking wait in {@link #doWork}; by default an interrupt. */
  protected void wakeUp() {
    interrupt();
  }

  public final boolean isRunning() {
    return running;
  }

  @Override
  public final void run() {
    try {
      while (running) {
        try {
          doWork();
        } catch (InterruptedException e) {
          if (!running) {
            break;
          }
        } catch (RuntimeException e) {
          // doWork handles what it expects; anything else is a bug, but the thread is needed.
          log.error("{} failed; continuing", getName(), e);
        }
      }
    } finally {
      try {
        onStop();
      } finally {
        stopped.countDown();
      }
    }
  }

  /** Asks the loop to stop after the current round; does not wait. */
  public void initiateShutdown() {
    running = false;
    wakeUp();
  }

  /** Waits up to {@code timeoutMs} for the loop to end; false if it did not (it is logged). */
  public boolean awaitShutdown(long timeoutMs) {
    try {
      if (!isAlive() && getState() == State.NEW) {
        return true; // never started
      }
      if (stopped.await(timeoutMs, TimeUnit.MILLISECONDS)) {
        return true;
      }
      log.warn("{} did not stop within {} ms", getName(), timeoutMs);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@link #initiateShutdown} and {@link #awaitShutdown}. */
  public boolean shutdown(long timeoutMs) {
    initiateShutdown();
    return awaitShutdown(timeoutMs);
  }
}
