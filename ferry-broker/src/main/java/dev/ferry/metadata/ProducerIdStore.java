package dev.ferry.metadata;

/** Durable producer-id blocks. Blocking: call on the admin thread, never a network thread. */
public interface ProducerIdStore {

  /** Reserves the next block of producer ids for {@code brokerId}, durably. */
  ProducerIdBlock allocateProducerIdBlock(int brokerId, int blockSize);
}
