package dev.ferry.metadata;

/** A range of producer ids handed to one broker: [firstProducerId, firstProducerId + size). */
public record ProducerIdBlock(int brokerId, long firstProducerId, int size) {

  public long lastProducerId() {
    return firstProducerId + size - 1;
  }
}
