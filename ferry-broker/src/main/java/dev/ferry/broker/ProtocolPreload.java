package dev.ferry.broker;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.internals.Crc32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the Kafka protocol classes on a background thread while the broker wires its storage and
 * components, once per JVM.
 *
 * <p>The first use of {@link ApiKeys} initialises every request and response schema of the protocol
 * (about 500 generated message classes) and {@link Errors} one exception class and one lambda per
 * error code: in a fresh JVM that is the largest single block of start-up work, 0.2 s on an idle
 * machine and over a second on a loaded one, and nothing else at start-up depends on it until the
 * handlers are registered. Begun first, it runs on the second core alongside log loading, the
 * coordinators and (with ZooKeeper) the ZooKeeper session; whoever needs a class before it is ready
 * waits for its initialisation, as it would have anyway. A test's Kafka client in the same JVM uses
 * the same classes.
 *
 * <p>Classes are initialised in the order the broker's own first use would initialise them ({@code
 * ApiKeys}, then {@code Errors}), so the two threads cannot wait on each other's class
 * initialisation.
 */
public final class ProtocolPreload {

  private static final Logger log = LoggerFactory.getLogger(ProtocolPreload.class);
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private ProtocolPreload() {}

  /** Starts the preload unless this JVM already did; returns at once. */
  public static void startInBackground() {
    if (!STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread preload = new Thread(ProtocolPreload::load, "ferry-protocol-preload");
    preload.setDaemon(true);
    preload.start();
  }

  private static void load() {
    try {
      ApiKeys.values();
      Errors.values();
      // The first produce: batch parsing and its CRC.
      MemoryRecords.readableRecords(ByteBuffer.allocate(0));
      Crc32C.compute(new byte[1], 0, 1);
    } catch (RuntimeException | LinkageError e) {
      // The broker's own first use meets the same problem and reports it where it matters.
      log.debug("Protocol class preload failed: {}", e.toString());
    }
  }
}
