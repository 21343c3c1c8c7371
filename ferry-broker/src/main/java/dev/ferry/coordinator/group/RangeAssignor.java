package dev.ferry.coordinator.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Kafka's {@code range} server assignor: topic by topic, the members subscribed to the topic (in
 * member id order) get consecutive ranges of its partitions; with P partitions and M members each
 * gets P / M and the first P % M one more. Members subscribed to topics with equal partition counts
 * get the same partition numbers of each (co-partitioning, what joins rely on).
 */
final class RangeAssignor implements ConsumerAssignor {

  static final String NAME = "range";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, Map<Uuid, Set<Integer>>> assign(
      SortedMap<String, Subscriber> members, Map<String, SubscribedTopic> topics) {
    Map<String, Map<Uuid, Set<Integer>>> result = new TreeMap<>();
    for (String m : members.keySet()) {
      result.put(m, new TreeMap<>());
    }
    for (Map.Entry<String, SubscribedTopic> t : new TreeMap<>(topics).entrySet()) {
      List<String> subs = new ArrayList<>();
      for (Map.Entry<String, Subscriber> m : members.entrySet()) {
        if (m.getValue().topics().contains(t.getKey())) {
          subs.add(m.getKey());
        }
      }
      if (subs.isEmpty()) {
        continue;
      }
      int partitions = t.getValue().partitions();
      int per = partitions / subs.size();
      int extra = partitions % subs.size();
      int next = 0;
      for (int i = 0; i < subs.size(); i++) {
        int n = per + (i < extra ? 1 : 0);
        if (n > 0) {
          Set<Integer> range = new TreeSet<>();
          for (int p = next; p < next + n; p++) {
            range.add(p);
          }
          result.get(subs.get(i)).put(t.getValue().id(), range);
        }
        next += n;
      }
    }
    return result;
  }
}
