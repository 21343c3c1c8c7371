package dev.ferry.metadata;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records listener callbacks, with the thread each ran on. */
public final class RecordingListener implements MetadataListener {

  public record Event(
      String kind, TopicMetadata topic, int partition, PartitionState state, String thread) {}

  public final List<Event> events = new CopyOnWriteArrayList<>();

  @Override
  public void onTopicChanged(TopicMetadata topic) {
    events.add(new Event("changed", topic, -1, null, Thread.currentThread().getName()));
  }

  @Override
  public void onTopicDeleted(TopicMetadata topic) {
    events.add(new Event("deleted", topic, -1, null, Thread.currentThread().getName()));
  }

  @Override
  public void onPartitionStateChanged(TopicMetadata topic, int partition, PartitionState state) {
    events.add(new Event("state", topic, partition, state, Thread.currentThread().getName()));
  }

  /** The last onTopicChanged/onTopicDeleted for {@code name}, or null. */
  public Event lastTopicEvent(String name) {
    Event last = null;
    for (Event e : events) {
      if (!e.kind().equals("state") && e.topic().name().equals(name)) {
        last = e;
      }
    }
    return last;
  }

  public PartitionState lastState(String name, int partition) {
    PartitionState last = null;
    for (Event e : events) {
      if (e.kind().equals("state") && e.topic().name().equals(name) && e.partition() == partition) {
        last = e.state();
      }
    }
    return last;
  }
}
