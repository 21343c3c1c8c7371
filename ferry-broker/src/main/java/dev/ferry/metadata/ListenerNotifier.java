package dev.ferry.metadata;

import dev.ferry.runtime.BrokerThreads;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers metadata changes to {@link MetadataListener}s on one dedicated daemon thread, so that
 * the ZooKeeper event thread and the writers never run listener code.
 *
 * <p>The queue is bounded by the metadata itself rather than by a count: pending events are keyed
 * by what they are about (a topic id, or a topic id and partition) and a newer event replaces a
 * pending one in its place. Since every event carries the full state, nothing is lost, and a slow
 * listener cannot make memory grow with the rate of changes.
 */
public final class ListenerNotifier implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ListenerNotifier.class);
  private static final long CLOSE_TIMEOUT_MS = 5_000;

  private record TopicKey(Uuid topicId) {}

  private record PartitionKey(Uuid topicId, int partition) {}

  /** Broker membership news: only the latest set matters. */
  private record BrokersKey() {}

  private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<Object, Runnable> pending = new LinkedHashMap<>();
  private final Thread thread;
  private boolean closed;

  public ListenerNotifier() {
    thread = BrokerThreads.newThread(this::run, "ferry-metadata-events");
    thread.start();
  }

  public void addListener(MetadataListener listener) {
    listeners.add(listener);
  }

  void topicChanged(TopicMetadata topic) {
    enqueue(
        new TopicKey(topic.topicId()),
        listener -> listener.onTopicChanged(topic),
        "onTopicChanged(" + topic.name() + ")");
  }

  synchronized void topicDeleted(TopicMetadata topic) {
    // Partition news about a deleted topic is moot; drop it so it cannot follow the deletion.
    Iterator<Object> keys = pending.keySet().iterator();
    while (keys.hasNext()) {
      if (keys.next() instanceof PartitionKey key && key.topicId().equals(topic.topicId())) {
        keys.remove();
      }
    }
    enqueue(
        new TopicKey(topic.topicId()),
        listener -> listener.onTopicDeleted(topic),
        "onTopicDeleted(" + topic.name() + ")");
  }

  void partitionStateChanged(TopicMetadata topic, int partition, PartitionState state) {
    enqueue(
        new PartitionKey(topic.topicId(), partition),
        listener -> listener.onPartitionStateChanged(topic, partition, state),
        "onPartitionStateChanged(" + topic.name() + "-" + partition + ")");
  }

  void brokersChanged(List<BrokerInfo> live) {
    enqueue(new BrokersKey(), listener -> listener.onBrokersChanged(live), "onBrokersChanged");
  }

  private interface Call {
    void on(MetadataListener listener);
  }

  private synchronized void enqueue(Object key, Call call, String description) {
    if (closed) {
      return;
    }
    // A replaced entry keeps its position (LinkedHashMap insertion order), so a topic's first
    // onTopicChanged stays ahead of its partitions' events.
    pending.put(
        key,
        () -> {
          for (MetadataListener listener : listeners) {
            try {
              call.on(listener);
            } catch (RuntimeException e) {
              log.error("Metadata listener {} failed in {}", listener, description, e);
            }
          }
        });
    notifyAll();
  }

  private void run() {
    while (true) {
      Runnable next;
      synchronized (this) {
        while (pending.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        Iterator<Runnable> it = pending.values().iterator();
        next = it.next();
        it.remove();
      }
      next.run();
    }
  }

  /** Stops the thread; pending events are dropped (the store is going away). */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      pending.clear();
      notifyAll();
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join(CLOSE_TIMEOUT_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        log.warn("Metadata listener thread still busy after {} ms; interrupting", CLOSE_TIMEOUT_MS);
        thread.interrupt();
      }
    }
  }
}
