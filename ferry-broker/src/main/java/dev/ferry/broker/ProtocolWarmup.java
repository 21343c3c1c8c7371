package dev.ferry.broker;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Initialises the Kafka protocol classes on a second thread while the broker's main thread starts
 * and connects to ZooKeeper.
 *
 * <p>The first use of {@link Errors} builds one exception per error code (~150 ms of CPU in a fresh
 * JVM) and that of {@link ApiKeys} every request and response schema (~500 generated message
 * classes). The broker needs them only once its handlers are wired, after the ZooKeeper session is
 * up; starting the embedded ZooKeeper server and opening the session take several times longer than
 * this work, so it is done by then and the main thread never waits for it. Without ZooKeeper (an
 * in-memory metadata store, as in {@code EmbeddedFerry}) there is no such window and the same
 * thread measured slower on a loaded machine (the main thread soon needs a class the descheduled
 * helper is still initialising), so only the ZooKeeper path uses it.
 *
 * <p>Classes are initialised in the order the broker's own first use does ({@code ApiKeys}, then
 * {@code Errors}), so the two threads cannot wait on each other's class initialisation.
 */
final class ProtocolWarmup {

  private static final Logger log = LoggerFactory.getLogger(ProtocolWarmup.class);
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private ProtocolWarmup() {}

  /** Starts the warm-up thread unless this JVM already did; returns at once. */
  static void startInBackground() {
    if (!STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread warmup = new Thread(ProtocolWarmup::run, "ferry-protocol-warmup");
    warmup.setDaemon(true);
    warmup.start();
  }

  private static void run() {
    try {
      ApiKeys.values();
      Errors.values();
      MemoryRecords.readableRecords(ByteBuffer.allocate(0));
    } catch (RuntimeException | LinkageError e) {
      // The broker's own first use meets the same problem and reports it where it matters.
      log.debug("Protocol warm-up failed: {}", e.toString());
    }
  }
}
