package dev.ferry.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** The server assignors on their own: balance, stickiness, ranges, eligibility. */
class ConsumerAssignorsTest {

  private static final Uuid ORDERS = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
  private static final Uuid PAYMENTS = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
  private static final Map<String, ConsumerAssignor.SubscribedTopic> TOPICS =
      Map.of(
          "orders", new ConsumerAssignor.SubscribedTopic(ORDERS, 12),
          "payments", new ConsumerAssignor.SubscribedTopic(PAYMENTS, 12));

  private static SortedMap<String, ConsumerAssignor.Subscriber> members(
      Map<String, Map<Uuid, Set<Integer>>> current, String... ids) {
    SortedMap<String, ConsumerAssignor.Subscriber> out = new TreeMap<>();
    for (String id : ids) {
      out.put(
          id,
          new ConsumerAssignor.Subscriber(Set.of("orders"), current.getOrDefault(id, Map.of())));
    }
    return out;
  }

  private static int count(Map<Uuid, Set<Integer>> a) {
    return a.values().stream().mapToInt(Set::size).sum();
  }

  @Test
  void uniformSpreadsEvenlyAndCoversEveryPartitionOnce() {
    var result = new UniformAssignor().assign(members(Map.of(), "a", "b", "c"), TOPICS);
    assertThat(result).containsOnlyKeys("a", "b", "c");
    Set<Integer> covered = new HashSet<>();
    for (var a : result.values()) {
      assertThat(count(a)).isEqualTo(4);
      assertThat(a).containsOnlyKeys(ORDERS);
      for (int p : a.get(ORDERS)) {
        assertThat(covered.add(p)).as("partition " + p + " twice").isTrue();
      }
    }
    assertThat(covered).hasSize(12);
  }

  @Test
  void uniformMovesOnlyWhatANewMemberNeeds() {
    UniformAssignor uniform = new UniformAssignor();
    var before = uniform.assign(members(Map.of(), "a", "b", "c"), TOPICS);
    var after = uniform.assign(members(before, "a", "b", "c", "d"), TOPICS);
    int moved = 0;
    for (String m : new String[] {"a", "b", "c"}) {
      assertThat(before.get(m).get(ORDERS)).containsAll(after.get(m).get(ORDERS));
      assertThat(after.get(m).get(ORDERS)).hasSize(3);
      moved += 4 - after.get(m).get(ORDERS).size();
    }
    assertThat(moved).isEqualTo(3);
    assertThat(after.get("d").get(ORDERS)).hasSize(3);
  }

  @Test
  void uniformGivesPartitionsOnlyToSubscribers() {
    SortedMap<String, ConsumerAssignor.Subscriber> ms = new TreeMap<>();
    ms.put("a", new ConsumerAssignor.Subscriber(Set.of("orders"), Map.of()));
    ms.put("b", new ConsumerAssignor.Subscriber(Set.of("payments"), Map.of()));
    ms.put("idle", new ConsumerAssignor.Subscriber(Set.of(), Map.of()));
    var result = new UniformAssignor().assign(ms, TOPICS);
    assertThat(result.get("a")).containsOnlyKeys(ORDERS);
    assertThat(result.get("a").get(ORDERS)).hasSize(12);
    assertThat(result.get("b")).containsOnlyKeys(PAYMENTS);
    assertThat(result.get("idle")).isEmpty();
  }

  @Test
  void rangeHandsOutConsecutiveRangesAndCoPartitions() {
    SortedMap<String, ConsumerAssignor.Subscriber> ms = new TreeMap<>();
    for (String id : new String[] {"a", "b", "c", "d", "e"}) {
      ms.put(id, new ConsumerAssignor.Subscriber(Set.of("orders", "payments"), Map.of()));
    }
    var result = new RangeAssignor().assign(ms, TOPICS);
    // 12 partitions over 5 members: 3, 3, 2, 2, 2 in member id order.
    assertThat(result.get("a").get(ORDERS)).containsExactly(0, 1, 2);
    assertThat(result.get("b").get(ORDERS)).containsExactly(3, 4, 5);
    assertThat(result.get("c").get(ORDERS)).containsExactly(6, 7);
    assertThat(result.get("e").get(ORDERS)).containsExactly(10, 11);
    for (String id : ms.keySet()) {
      assertThat(result.get(id).get(PAYMENTS)).isEqualTo(result.get(id).get(ORDERS));
    }
  }

  @Test
  void rangeLeavesMembersBeyondThePartitionCountEmpty() {
    SortedMap<String, ConsumerAssignor.Subscriber> ms = new TreeMap<>();
    Map<String, ConsumerAssignor.SubscribedTopic> one =
        Map.of("orders", new ConsumerAssignor.SubscribedTopic(ORDERS, 2));
    for (String id : new String[] {"a", "b", "c"}) {
      ms.put(id, new ConsumerAssignor.Subscriber(Set.of("orders"), new HashMap<>()));
    }
    var result = new RangeAssignor().assign(ms, one);
    assertThat(result.get("a").get(ORDERS)).containsExactly(0);
    assertThat(result.get("b").get(ORDERS)).containsExactly(1);
    assertThat(result.get("c")).isEmpty();
  }

  // ---------------------------------------------------------------- racks

  /** Twelve partitions whose replicas sit on rack r(p % 3): "r0", "r1", "r2" in turn. */
  private static Map<String, ConsumerAssignor.SubscribedTopic> rackedTopic() {
    java.util.List<Set<String>> racks = new java.util.ArrayList<>();
    for (int p = 0; p < 12; p++) {
      racks.add(Set.of("r" + (p % 3)));
    }
    return Map.of("orders", new ConsumerAssignor.SubscribedTopic(ORDERS, 12, racks));
  }

  private static SortedMap<String, ConsumerAssignor.Subscriber> rackedMembers(
      Map<String, Map<Uuid, Set<Integer>>> current, String... idThenRack) {
    SortedMap<String, ConsumerAssignor.Subscriber> out = new TreeMap<>();
    for (int i = 0; i < idThenRack.length; i += 2) {
      String id = idThenRack[i];
      out.put(
          id,
          new ConsumerAssignor.Subscriber(
              Set.of("orders"), current.getOrDefault(id, Map.of()), idThenRack[i + 1]));
    }
    return out;
  }

  @Test
  void withRacksKnownEachAssignorGivesAMemberThePartitionsOnItsRack() {
    for (ConsumerAssignor assignor :
        new ConsumerAssignor[] {new UniformAssignor(), new RangeAssignor()}) {
      var result =
          assignor.assign(rackedMembers(Map.of(), "a", "r0", "b", "r1", "c", "r2"), rackedTopic());
      assertThat(result.get("a").get(ORDERS)).as(assignor.name()).containsExactly(0, 3, 6, 9);
      assertThat(result.get("b").get(ORDERS)).as(assignor.name()).containsExactly(1, 4, 7, 10);
      assertThat(result.get("c").get(ORDERS)).as(assignor.name()).containsExactly(2, 5, 8, 11);
    }
  }

  @Test
  void racksNeverCostBalance() {
    // Two members on r0 and one without a rack: r0 holds only four partitions, so the r0
    // members share those and still get four each; nobody gets more than its share.
    for (ConsumerAssignor assignor :
        new ConsumerAssignor[] {new UniformAssignor(), new RangeAssignor()}) {
      var result =
          assignor.assign(rackedMembers(Map.of(), "a", "r0", "b", "r0", "c", null), rackedTopic());
      Set<Integer> covered = new HashSet<>();
      Set<Integer> onR0 = new HashSet<>();
      for (String m : new String[] {"a", "b"}) {
        assertThat(count(result.get(m))).as(assignor.name()).isEqualTo(4);
        for (int p : result.get(m).get(ORDERS)) {
          if (p % 3 == 0) {
            onR0.add(p);
          }
        }
      }
      assertThat(count(result.get("c"))).as(assignor.name()).isEqualTo(4);
      assertThat(onR0).as(assignor.name() + ": every r0 partition on an r0 member").hasSize(4);
      result.values().forEach(a -> covered.addAll(a.get(ORDERS)));
      assertThat(covered).hasSize(12);
    }
  }

  @Test
  void withoutRacksTheAssignmentIsTheRacklessOne() {
    var rackless = new RangeAssignor().assign(members(Map.of(), "a", "b", "c"), TOPICS);
    assertThat(rackless.get("a").get(ORDERS)).containsExactly(0, 1, 2, 3);
    var unknownPartitionRacks =
        new RangeAssignor()
            .assign(rackedMembers(Map.of(), "a", "r0", "b", "r1", "c", "r2"), TOPICS);
    assertThat(unknownPartitionRacks).isEqualTo(rackless);
    assertThat(
            new UniformAssignor()
                .assign(rackedMembers(Map.of(), "a", "r0", "b", "r1", "c", "r2"), TOPICS))
        .isEqualTo(new UniformAssignor().assign(members(Map.of(), "a", "b", "c"), TOPICS));
  }

  @Test
  void uniformKeepsStickinessOverRacks() {
    // b owns the r0 partitions already; a joins on r0: b keeps what it has up to its share.
    Map<String, Map<Uuid, Set<Integer>>> current =
        Map.of(
            "b",
            Map.of(ORDERS, Set.of(0, 3, 6, 9, 1, 4)),
            "c",
            Map.of(ORDERS, Set.of(2, 5, 8, 11, 7, 10)));
    var result =
        new UniformAssignor()
            .assign(rackedMembers(current, "a", "r0", "b", "r0", "c", "r2"), rackedTopic());
    assertThat(result.get("b").get(ORDERS)).hasSize(4).isSubsetOf(0, 3, 6, 9, 1, 4);
    assertThat(result.get("c").get(ORDERS)).hasSize(4).isSubsetOf(2, 5, 8, 11, 7, 10);
    assertThat(count(result.get("a"))).isEqualTo(4);
  }
}
