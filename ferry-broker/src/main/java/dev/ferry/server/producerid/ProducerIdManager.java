package dev.ferry.server.producerid;

import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.ProducerIdStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out producer ids from blocks reserved durably in ZooKeeper, so an id is never reused across
 * restarts or brokers. The next block is fetched in the background before the current one runs out,
 * keeping ZooKeeper off the InitProducerId path; the first one when the broker starts (as Kafka's
 * ZooKeeper-based broker did), so that a client's first InitProducerId (every idempotent producer's
 * first request) does not wait for a ZooKeeper write either. A restart thus skips the unused rest
 * of a block, which the 63-bit id space affords.
 */
public final class ProducerIdManager {

  private static final Logger log = LoggerFactory.getLogger(ProducerIdManager.class);
  static final int BLOCK_SIZE = 1000;

  private final ProducerIdStore store;
  private final int brokerId;
  private final Executor adminExecutor;

  private ProducerIdBlock current;
  private long next;
  private CompletableFuture<ProducerIdBlock> prefetch;

  public ProducerIdManager(ProducerIdStore store, int brokerId, Executor adminExecutor) {
    this.store = store;
    this.brokerId = brokerId;
    this.adminExecutor = adminExecutor;
  }

  /** Starts reserving the first block in the background (at broker start); returns at once. */
  public synchronized void start() {
    if (current == null && prefetch == null) {
      prefetch = fetchBlock();
    }
  }

  /** Completes with a fresh producer id; never on the caller's thread if a block must be read. */
  public synchronized CompletableFuture<Long> nextId() {
    if (current != null && next <= current.lastProducerId()) {
      long id = next++;
      maybePrefetch();
      return CompletableFuture.completedFuture(id);
    }
    // A fetch that failed (ZooKeeper unreachable at the time) is not handed on: try again.
    CompletableFuture<ProducerIdBlock> pending =
        prefetch != null && !prefetch.isCompletedExceptionally() ? prefetch : fetchBlock();
    prefetch = null;
    return pending.thenApply(this::takeFirstOf);
  }

  private synchronized long takeFirstOf(ProducerIdBlock block) {
    if (current == null || next > current.lastProducerId()) {
      current = block;
      next = block.firstProducerId();
    }
    // If another caller installed a newer block first, the one we fetched is simply unused.
    return next++;
  }

  private void maybePrefetch() {
    if (prefetch == null && current.lastProducerId() - next < BLOCK_SIZE / 10) {
      prefetch = fetchBlock();
    }
  }

  private CompletableFuture<ProducerIdBlock> fetchBlock() {
    return CompletableFuture.supplyAsync(
        () -> {
          ProducerIdBlock block = store.allocateProducerIdBlock(brokerId, BLOCK_SIZE);
          log.info("Reserved producer ids {}..{}", block.firstProducerId(), block.lastProducerId());
          return block;
        },
        adminExecutor);
  }
}
