package dev.ferry.metadata;

/**
 * A partition's state with the store transaction that wrote it: the ZooKeeper zxid of the write
 * (the state znode's mzxid). Broker epochs ({@link MetadataView#brokerEpoch}) are zxids on the same
 * clock, so comparing the two tells whether a leadership decision was made before or after a
 * broker's current registration.
 */
public record VersionedPartitionState(PartitionState state, long zxid) {

  /**
   * True if this state was written after the registration whose broker epoch is {@code
   * brokerEpoch}: a decision about that broker made while the controller could know of this
   * incarnation of it.
   */
  public boolean writtenAfter(long brokerEpoch) {
    return zxid > brokerEpoch;
  }
}
