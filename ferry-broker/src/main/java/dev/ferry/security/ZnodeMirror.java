package dev.ferry.security;

import java.io.Closeable;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.kafka.common.KafkaException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subtree of ZooKeeper mirrored into memory on every broker: one znode per key, kept current by a
 * watch, so readers (authorization, authentication) never wait on ZooKeeper. Writes are
 * compare-and-set on the znode version and retried when another broker wrote the same znode
 * meanwhile; the writer sees its own change at once, the other brokers a few milliseconds later.
 *
 * <p>The ACL store and the SCRAM credential store are both this mirror with their own {@link
 * Codec}.
 *
 * @param <K> what a znode stands for (a resource pattern, a user)
 * @param <V> its content, decoded; a value is never changed once it is in the mirror
 */
public final class ZnodeMirror<K, V> implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(ZnodeMirror.class);
  private static final int CAS_ATTEMPTS = 10;

  /** How keys map to znode paths and values to znode data. */
  public interface Codec<K, V> {
    /** The znode of a key, below the mirror's root. */
    String pathOf(K key);

    /** The key of a znode, or null if the path is not one of the mirror's znodes. */
    K keyOf(String path);

    byte[] encode(V value) throws IOException;

    /** A fresh, mutable value; empty for null or empty data. */
    V decode(byte[] data) throws IOException;

    /** An empty value has no znode: writing one deletes it. */
    boolean isEmpty(V value);
  }

  private final CuratorFramework client;
  private final String what;
  private final Codec<K, V> codec;
  private final Runnable onChange;
  private final CuratorCache cache;
  private final Map<K, V> current = new ConcurrentHashMap<>();
  private final Map<K, V> view = Collections.unmodifiableMap(current);
  private final CountDownLatch initialized = new CountDownLatch(1);

  /**
   * @param what for messages ("ACLs", "SCRAM credentials")
   * @param onChange runs after every change to the mirror, under its lock (so a derived snapshot is
   *     rebuilt in the order of the changes)
   */
  public ZnodeMirror(
      CuratorFramework client, String root, String what, Codec<K, V> codec, Runnable onChange) {
    this.client = client;
    this.what = what;
    this.codec = codec;
    this.onChange = onChange;
    this.cache = CuratorCache.build(client, root);
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forCreatesAndChanges((before, after) -> loaded(after))
                .forDeletes(this::deleted)
                .forInitialized(initialized::countDown)
                .build());
  }

  /** Starts watching and waits (bounded) for the first full load. */
  public void start(long timeoutMs) {
    cache.start();
    try {
      if (!initialized.await(timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new KafkaException(what + " not loaded from ZooKeeper within " + timeoutMs + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while loading " + what);
    }
  }

  /** The mirrored values, read-only and live. */
  public Map<K, V> view() {
    return view;
  }

  /** Reads one key from ZooKeeper itself (blocking; admin thread). */
  public V read(K key) {
    try {
      return codec.decode(client.getData().forPath(codec.pathOf(key)));
    } catch (KeeperException.NoNodeException e) {
      return emptyValue();
    } catch (Exception e) {
      throw new KafkaException("Cannot read " + what + " of " + key, e);
    }
  }

  /**
   * Applies {@code change} to the key's current value in ZooKeeper (blocking; admin thread). The
   * change mutates a fresh copy and may run more than once when another broker races it.
   *
   * @param change mutates the value; returns false when it changed nothing (then nothing is
   *     written)
   * @return whether anything was written
   */
  public boolean update(K key, Predicate<V> change) {
    String path = codec.pathOf(key);
    for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      try {
        Stat stat = new Stat();
        V value;
        boolean exists;
        try {
          value = codec.decode(client.getData().storingStatIn(stat).forPath(path));
          exists = true;
        } catch (KeeperException.NoNodeException e) {
          value = emptyValue();
          exists = false;
        }
        if (!change.test(value)) {
          return false;
        }
        if (codec.isEmpty(value)) {
          if (exists) {
            client.delete().withVersion(stat.getVersion()).forPath(path);
          }
        } else if (exists) {
          client.setData().withVersion(stat.getVersion()).forPath(path, codec.encode(value));
        } else {
          client.create().creatingParentContainersIfNeeded().forPath(path, codec.encode(value));
        }
        // This broker sees its own change at once (a Describe right after a Create); the watch
        // brings the same data here, and to the other brokers, a few milliseconds later.
        apply(key, value);
        return true;
      } catch (KeeperException.BadVersionException
          | KeeperException.NodeExistsException
          | KeeperException.NoNodeException e) {
        // Changed by another broker meanwhile: read again.
      } catch (Exception e) {
        throw new KafkaException("Cannot update " + what + " of " + key + ": " + e.getMessage(), e);
      }
    }
    throw new KafkaException(what + " of " + key + " kept changing; try again");
  }

  private V emptyValue() {
    try {
      return codec.decode(null);
    } catch (IOException e) {
      throw new IllegalStateException("a codec decodes null to an empty value", e);
    }
  }

  private void loaded(ChildData node) {
    K key = codec.keyOf(node.getPath());
    if (key == null) {
      return;
    }
    V value;
    try {
      value = codec.decode(node.getData());
    } catch (IOException | RuntimeException e) {
      log.error("Ignoring unreadable {} at {}: {}", what, node.getPath(), e.toString());
      return;
    }
    apply(key, value);
  }

  private void deleted(ChildData node) {
    K key = codec.keyOf(node.getPath());
    if (key != null) {
      synchronized (this) {
        if (current.remove(key) != null) {
          onChange.run();
        }
      }
    }
  }

  private synchronized void apply(K key, V value) {
    if (codec.isEmpty(value)) {
      current.remove(key);
    } else {
      current.put(key, value);
    }
    onChange.run();
  }

  @Override
  public void close() {
    cache.close();
  }
}
