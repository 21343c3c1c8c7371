package dev.ferry.server.fetch;

/**
 * Told the record bytes each consumer fetch response carries, per topic (replica fetches are not
 * counted: they are replication traffic, not bytes out to clients). Called on the thread that
 * completes the fetch; must be cheap and must not block.
 */
@FunctionalInterface
public interface ConsumerBytesListener {

  void onConsumerBytes(String topic, long bytes);

  ConsumerBytesListener NONE = (topic, bytes) -> {};
}
