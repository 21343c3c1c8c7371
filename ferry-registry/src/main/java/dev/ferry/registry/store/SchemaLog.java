package dev.ferry.registry.store;

import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;

/**
 * The durable, replicated log the registry's state is built from; every record appended is applied
 * to the {@link RegistryState} in log order.
 */
public interface SchemaLog extends AutoCloseable {

  /** Waits until the log has been read to its end as of now (so the state is current). */
  void catchUp(long timeoutMs) throws TimeoutException, InterruptedException;

  /** Appends a record (a null value deletes the key) and waits until the state has applied it. */
  void append(byte[] key, byte[] value, long timeoutMs)
      throws TimeoutException, InterruptedException;

  /** The broker that leads the log's partition (the registry's single writer), if known. */
  OptionalInt writerBrokerId();

  @Override
  void close();
}
