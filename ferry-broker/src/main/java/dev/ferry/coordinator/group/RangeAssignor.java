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
 * get the same partition numbers of each (co-partitioning, what joins rely on). When the members'
 * racks and the partitions' replica racks are known, a member takes partitions on its rack first
 * (same counts; the ranges are then no longer consecutive).
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
      SubscribedTopic topic = t.getValue();
      int partitions = topic.partitions();
      int per = partitions / subs.size();
      int extra = partitions % subs.size();
      List<Set<Integer>> got = new ArrayList<>(subs.size());
      for (int i = 0; i < subs.size(); i++) {
        got.add(new TreeSet<>());
      }
      boolean[] taken = new boolean[partitions];
      // With racks known, each member first takes partitions with a replica on its rack, up to
      // its count; then the rest go out in order. Without racks only the second pass runs, which
      // gives consecutive ranges.
      for (int i = 0; i < subs.size(); i++) {
        int quota = per + (i < extra ? 1 : 0);
        Subscriber member = members.get(subs.get(i));
        for (int p = 0; p < partitions && got.get(i).size() < quota; p++) {
          if (!taken[p] && topic.sameRack(member, p)) {
            taken[p] = true;
            got.get(i).add(p);
          }
        }
      }
      int next = 0;
      for (int i = 0; i < subs.size(); i++) {
        int quota = per + (i < extra ? 1 : 0);
        while (got.get(i).size() < quota) {
          while (taken[next]) {
            next++;
          }
          taken[next] = true;
          got.get(i).add(next);
        }
        if (!got.get(i).isEmpty()) {
          result.get(subs.get(i)).put(topic.id(), got.get(i));
        }
      }
    }
    return result;
  }
}
