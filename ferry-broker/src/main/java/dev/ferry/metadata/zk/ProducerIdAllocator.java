package dev.ferry.metadata.zk;

import dev.ferry.metadata.ProducerIdBlock;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.common.KafkaException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out blocks of producer ids from {@code /ferry/producer-id-block}, which holds the last
 * block handed out by any broker. A block is ours only once a write conditional on the znode
 * version we read succeeds, so two brokers (or two threads) never get overlapping blocks; a block
 * whose write outcome is unknown (connection loss) is skipped, never reused.
 */
final class ProducerIdAllocator {

  private static final Logger log = LoggerFactory.getLogger(ProducerIdAllocator.class);

  /** Conflicts only happen between concurrent allocations; each retry backs off a bit more. */
  static final int MAX_ATTEMPTS = 100;

  private static final int MAX_BACKOFF_MS = 50;

  private final CuratorFramework client;

  ProducerIdAllocator(CuratorFramework client) {
    this.client = client;
  }

  ProducerIdBlock allocate(int brokerId, int blockSize) {
    if (brokerId < 0) {
      throw new IllegalArgumentException("broker id must be >= 0, was " + brokerId);
    }
    if (blockSize <= 0) {
      throw new IllegalArgumentException("block size must be > 0, was " + blockSize);
    }
    String action = "allocating a producer id block for broker " + brokerId;
    try {
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        Stat stat = new Stat();
        ProducerIdBlock last;
        try {
          last =
              ZNodeCodec.decodeProducerIdBlock(
                  client.getData().storingStatIn(stat).forPath(ZkPaths.PRODUCER_ID_BLOCK));
        } catch (KeeperException.NoNodeException e) {
          last = null;
        }
        long first = last == null ? 0 : last.lastProducerId() + 1;
        if (first > Long.MAX_VALUE - blockSize) {
          throw new KafkaException("The producer id space is exhausted (last block " + last + ")");
        }
        ProducerIdBlock block = new ProducerIdBlock(brokerId, first, blockSize);
        byte[] data = ZNodeCodec.encodeProducerIdBlock(block);
        try {
          if (last == null) {
            client.create().creatingParentsIfNeeded().forPath(ZkPaths.PRODUCER_ID_BLOCK, data);
          } else {
            client
                .setData()
                .withVersion(stat.getVersion())
                .forPath(ZkPaths.PRODUCER_ID_BLOCK, data);
          }
          log.debug("Allocated {} after {} attempt(s)", block, attempt);
          return block;
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
          // Another allocation won the race: read its block and try the next one.
          Thread.sleep(ThreadLocalRandom.current().nextInt(Math.min(attempt, MAX_BACKOFF_MS) + 1));
        }
      }
    } catch (Exception e) {
      throw ZkErrors.translate(action, e);
    }
    throw new KafkaException(
        "Could not allocate a producer id block for broker "
            + brokerId
            + ": "
            + MAX_ATTEMPTS
            + " conflicting concurrent allocations in a row");
  }
}
