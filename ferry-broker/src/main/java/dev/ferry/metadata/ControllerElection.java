package dev.ferry.metadata;

import java.io.Closeable;

/**
 * One broker's candidacy for controller. At most one candidate of a cluster is elected at a time;
 * leadership alone is not trusted for writes, see {@link ControllerEpoch}.
 */
public interface ControllerElection extends Closeable {

  /** Told on the executor given at creation; calls may repeat (elected, resigned, elected...). */
  interface Listener {
    void onElected();

    void onResigned();
  }

  /** Joins the election. */
  void start();

  boolean isController();

  /** Leaves the election; if this broker was controller, another one takes over right away. */
  @Override
  void close();
}
