package dev.ferry.coordinator.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Kafka's default server assignor, {@code uniform}: spreads the partitions of the subscribed topics
 * evenly over the members (counts differ by at most one when every member subscribes to the same
 * topics) while moving as few partitions as possible: a member keeps what it had up to its share,
 * and only the surplus and unowned partitions move, each to the eligible member with the fewest.
 */
final class UniformAssignor implements ConsumerAssignor {

  static final String NAME = "uniform";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, Map<Uuid, Set<Integer>>> assign(
      SortedMap<String, Subscriber> members, Map<String, SubscribedTopic> topics) {
    Map<String, Map<Uuid, Set<Integer>>> result = new TreeMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (String m : members.keySet()) {
      result.put(m, new TreeMap<>());
      counts.put(m, 0);
    }
    // Topics in name order with the members that may take their partitions (in id order).
    Map<Uuid, SubscribedTopic> byId = new HashMap<>();
    Map<Uuid, List<String>> eligible = new HashMap<>();
    List<SubscribedTopic> ordered = new ArrayList<>();
    Set<String> active = new HashSet<>();
    int total = 0;
    for (Map.Entry<String, SubscribedTopic> t : new TreeMap<>(topics).entrySet()) {
      List<String> subs = new ArrayList<>();
      for (Map.Entry<String, Subscriber> m : members.entrySet()) {
        if (m.getValue().topics().contains(t.getKey())) {
          subs.add(m.getKey());
        }
      }
      if (!subs.isEmpty()) {
        byId.put(t.getValue().id(), t.getValue());
        eligible.put(t.getValue().id(), subs);
        ordered.add(t.getValue());
        active.addAll(subs);
        total += t.getValue().partitions();
      }
    }
    if (active.isEmpty()) {
      return result;
    }
    int minQuota = total / active.size();
    int extras = total % active.size();

    // 1. Stickiness: each member keeps the current partitions it still may have, up to its share
    // (minQuota, or minQuota + 1 while extras last).
    Map<Uuid, Set<Integer>> taken = new HashMap<>();
    for (Map.Entry<String, Subscriber> e : members.entrySet()) {
      String m = e.getKey();
      for (Map.Entry<Uuid, Set<Integer>> cur : new TreeMap<>(e.getValue().current()).entrySet()) {
        SubscribedTopic t = byId.get(cur.getKey());
        if (t == null || !eligible.get(t.id()).contains(m)) {
          continue;
        }
        Set<Integer> topicTaken = taken.computeIfAbsent(t.id(), k -> new HashSet<>());
        for (int p : new TreeSet<>(cur.getValue())) {
          int have = counts.get(m);
          boolean room = have < minQuota || (have == minQuota && extras > 0);
          if (p >= t.partitions() || !room || !topicTaken.add(p)) {
            continue;
          }
          if (have == minQuota) {
            extras--;
          }
          result.get(m).computeIfAbsent(t.id(), k -> new TreeSet<>()).add(p);
          counts.merge(m, 1, Integer::sum);
        }
      }
    }
    // 2. Everything else, in topic and partition order, to the eligible member with the fewest;
    // when racks are known, to the one with the fewest among those on a replica's rack that are
    // still below their share, if any (so balance holds and locality improves).
    for (SubscribedTopic t : ordered) {
      List<String> subs = eligible.get(t.id());
      Set<Integer> done = taken.getOrDefault(t.id(), Set.of());
      for (int p = 0; p < t.partitions(); p++) {
        if (done.contains(p)) {
          continue;
        }
        String to = null;
        for (String m : subs) {
          int have = counts.get(m);
          boolean room = have < minQuota || (have == minQuota && extras > 0);
          if (room && t.sameRack(members.get(m), p) && (to == null || have < counts.get(to))) {
            to = m;
          }
        }
        if (to == null) {
          to = subs.stream().min(Comparator.comparingInt(counts::get)).orElseThrow();
        }
        if (counts.get(to) == minQuota && extras > 0) {
          extras--;
        }
        result.get(to).computeIfAbsent(t.id(), k -> new TreeSet<>()).add(p);
        counts.merge(to, 1, Integer::sum);
      }
    }
    return result;
  }
}
