package dev.ferry.metadata.zk;

import dev.ferry.metadata.MetadataCache;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.zk.ZkPaths.BrokerRef;
import dev.ferry.metadata.zk.ZkPaths.PartitionStateRef;
import dev.ferry.metadata.zk.ZkPaths.Ref;
import dev.ferry.metadata.zk.ZkPaths.TopicConfigRef;
import dev.ferry.metadata.zk.ZkPaths.TopicRef;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.CuratorCacheStorage;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the topic, topic-config and broker subtrees with Curator's {@link CuratorCache}
 * (persistent recursive watches) and feeds every znode change into the {@link MetadataCache}. The
 * callbacks run on Curator's event thread; they only decode JSON and update maps.
 */
final class ZkCacheFeed implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ZkCacheFeed.class);

  private static final List<String> WATCHED =
      List.of(ZkPaths.TOPIC_CONFIGS, ZkPaths.TOPICS, ZkPaths.BROKER_IDS);

  private final MetadataCache cache;
  private final List<CuratorCache> curatorCaches = new ArrayList<>();
  private final CountDownLatch initialized = new CountDownLatch(WATCHED.size());

  /** Znode events received, so that a long initial load counts as progress. */
  private final AtomicLong events = new AtomicLong();

  ZkCacheFeed(CuratorFramework client, MetadataCache cache) {
    this.cache = cache;
    for (String root : WATCHED) {
      CuratorCache curatorCache =
          CuratorCache.builder(client, root)
              // MetadataCache keeps the decoded values; Curator need only track what exists.
              .withStorage(CuratorCacheStorage.dataNotCached())
              .withExceptionHandler(e -> log.error("Error in ZooKeeper cache of {}", root, e))
              .build();
      curatorCache.listenable().addListener(new Listener());
      curatorCaches.add(curatorCache);
    }
  }

  /**
   * Starts watching and waits until the initial contents have been loaded into the cache. The
   * timeout bounds a wait without progress, not the whole load: 10,000 partitions are 20,000
   * znodes, which take longer than any fixed bound on a loaded machine (a restart with 1,000
   * partitions timed out at 18 s while znodes were still arriving).
   */
  void start(long timeoutMs) {
    curatorCaches.forEach(CuratorCache::start);
    long seen = 0;
    try {
      while (!initialized.await(timeoutMs, TimeUnit.MILLISECONDS)) {
        long loaded = events.get();
        if (loaded == seen) {
          throw new TimeoutException(
              "Timed out loading cluster metadata from ZooKeeper: no znode arrived for "
                  + timeoutMs
                  + " ms ("
                  + loaded
                  + " loaded)");
        }
        seen = loaded;
      }
    } catch (InterruptedException e) {
      throw ZkErrors.translate("loading cluster metadata", e);
    }
  }

  @Override
  public void close() {
    curatorCaches.forEach(CuratorCache::close);
  }

  private final class Listener implements CuratorCacheListener {

    @Override
    public void event(Type type, ChildData oldData, ChildData data) {
      events.incrementAndGet();
      try {
        if (type == Type.NODE_DELETED) {
          deleted(oldData);
        } else {
          updated(data);
        }
      } catch (KafkaException e) {
        // A znode we cannot read (malformed, or from a newer version) must not stop the feed:
        // keep the last good value and say which znode is bad.
        log.warn("Ignoring unreadable znode: {}", e.getMessage());
      }
    }

    @Override
    public void initialized() {
      initialized.countDown();
    }
  }

  private void updated(ChildData data) {
    Ref ref = ZkPaths.parse(data.getPath());
    if (ref == null) {
      return;
    }
    long czxid = data.getStat().getCzxid();
    long mzxid = data.getStat().getMzxid();
    byte[] bytes = data.getData();
    if (ref instanceof TopicRef t) {
      cache.putTopic(t.topic(), ZNodeCodec.decodeTopic(t.topic(), bytes), czxid, mzxid);
    } else if (ref instanceof TopicConfigRef c) {
      cache.putTopicConfig(c.topic(), ZNodeCodec.decodeTopicConfig(c.topic(), bytes), czxid, mzxid);
    } else if (ref instanceof PartitionStateRef p) {
      PartitionState state = ZNodeCodec.decodePartitionState(p.topic(), p.partition(), bytes);
      cache.putPartitionState(p.topic(), p.partition(), state, czxid, mzxid);
    } else if (ref instanceof BrokerRef b) {
      cache.putBroker(ZNodeCodec.decodeBroker(b.brokerId(), bytes), czxid, mzxid);
    }
  }

  private void deleted(ChildData oldData) {
    Ref ref = ZkPaths.parse(oldData.getPath());
    if (ref == null) {
      return;
    }
    long czxid = oldData.getStat().getCzxid();
    if (ref instanceof TopicRef t) {
      cache.removeTopic(t.topic(), czxid);
    } else if (ref instanceof TopicConfigRef c) {
      cache.removeTopicConfig(c.topic(), czxid);
    } else if (ref instanceof PartitionStateRef p) {
      cache.removePartitionState(p.topic(), p.partition(), czxid);
    } else if (ref instanceof BrokerRef b) {
      cache.removeBroker(b.brokerId(), czxid);
    }
  }
}
