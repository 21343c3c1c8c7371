package dev.ferry.quota;

import dev.ferry.metadata.MetadataListener;
import dev.ferry.metadata.TopicMetadata;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which partitions of each topic this broker throttles on one side, from the topic config {@code
 * leader.replication.throttled.replicas} or {@code follower.replication.throttled.replicas}: a list
 * of {@code partition:broker} entries (only those naming this broker count) or {@code *} for every
 * replica. Kept parsed per topic, updated by metadata changes, so a fetch asks a map lookup.
 */
public final class ThrottledReplicas implements MetadataListener {

  private static final Logger log = LoggerFactory.getLogger(ThrottledReplicas.class);
  private static final Set<Integer> ALL = Set.of(-1);

  private final String configName;
  private final int brokerId;
  private final Map<String, Set<Integer>> byTopic = new ConcurrentHashMap<>();

  public ThrottledReplicas(String configName, int brokerId) {
    this.configName = configName;
    this.brokerId = brokerId;
  }

  /** True if this broker throttles its side of {@code topic}-{@code partition}. */
  public boolean isThrottled(String topic, int partition) {
    Set<Integer> partitions = byTopic.get(topic);
    return partitions != null && (partitions == ALL || partitions.contains(partition));
  }

  @Override
  public void onTopicChanged(TopicMetadata topic) {
    Set<Integer> parsed = parse(topic.name(), topic.configs().get(configName));
    if (parsed.isEmpty()) {
      byTopic.remove(topic.name());
    } else {
      byTopic.put(topic.name(), parsed);
    }
  }

  @Override
  public void onTopicDeleted(TopicMetadata topic) {
    byTopic.remove(topic.name());
  }

  private Set<Integer> parse(String topic, String value) {
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    if (value.trim().equals("*")) {
      return ALL;
    }
    Set<Integer> out = new HashSet<>();
    for (String entry : value.split(",")) {
      String e = entry.trim();
      int colon = e.indexOf(':');
      try {
        if (colon > 0 && Integer.parseInt(e.substring(colon + 1).trim()) == brokerId) {
          out.add(Integer.parseInt(e.substring(0, colon).trim()));
        }
      } catch (NumberFormatException ex) {
        log.warn("Ignoring malformed {} entry '{}' of topic {}", configName, e, topic);
      }
    }
    return out;
  }
}
