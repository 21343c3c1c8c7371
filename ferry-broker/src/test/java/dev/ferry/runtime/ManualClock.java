package dev.ferry.runtime;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.utils.Time;

/** A clock tests move by hand: time stands still unless {@link #advance} is called. */
public class ManualClock implements Time {

  private final AtomicLong nowMs;

  public ManualClock(long startMs) {
    this.nowMs = new AtomicLong(startMs);
  }

  /** Moves the clock forward by {@code ms}. */
  public void advance(long ms) {
    if (ms < 0) {
      throw new IllegalArgumentException("Time does not go back: " + ms);
    }
    nowMs.addAndGet(ms);
  }

  @Override
  public long milliseconds() {
    return nowMs.get();
  }

  @Override
  public long nanoseconds() {
    return nowMs.get() * 1_000_000L;
  }

  /** A sleep on a manual clock is an advance: nothing waits for real. */
  @Override
  public void sleep(long ms) {
    advance(ms);
  }
}
