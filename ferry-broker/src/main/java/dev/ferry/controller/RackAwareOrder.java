package dev.ferry.controller;

import dev.ferry.metadata.BrokerInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Orders brokers for replica placement. Without racks: by id. With racks: racks sorted by name,
 * brokers of each rack by id, then taken one rack at a time (rack a's first, rack b's first, ...,
 * rack a's second, ...), so that neighbours in the list are in different racks. Brokers without a
 * rack form a rack of their own.
 */
final class RackAwareOrder {

  private static final String NO_RACK = "";

  private RackAwareOrder() {}

  static List<Integer> of(Collection<BrokerInfo> brokers) {
    Map<String, List<Integer>> byRack = new TreeMap<>();
    for (BrokerInfo b : brokers) {
      byRack
          .computeIfAbsent(b.rack() == null ? NO_RACK : b.rack(), k -> new ArrayList<>())
          .add(b.id());
    }
    for (List<Integer> ids : byRack.values()) {
      ids.sort(null);
    }
    List<Integer> out = new ArrayList<>(brokers.size());
    if (byRack.size() <= 1) {
      byRack.values().forEach(out::addAll);
      return out;
    }
    for (int round = 0; out.size() < brokers.size(); round++) {
      for (List<Integer> ids : byRack.values()) {
        if (round < ids.size()) {
          out.add(ids.get(round));
        }
      }
    }
    return out;
  }
}
