package dev.ferry.coordinator.group;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target assignment of consumer-protocol groups: which existing topics the members' names and
 * regexes resolve to, when that (or membership) bumps the group epoch, and the next target from the
 * assignor the members prefer. Caller holds the group lock.
 */
final class ConsumerTargetAssignment {

  private static final Logger log = LoggerFactory.getLogger(ConsumerTargetAssignment.class);

  private final ConsumerGroupConfig config;
  private final SubscribableTopics topics;
  private final Map<String, ConsumerAssignor> assignors;

  ConsumerTargetAssignment(
      ConsumerGroupConfig config,
      SubscribableTopics topics,
      Map<String, ConsumerAssignor> assignors) {
    this.config = config;
    this.topics = topics;
    this.assignors = assignors; // filled by the manager's constructor, read-only after
  }

  /**
   * After a member changed (joined, left, changed its subscription): a new group epoch when the
   * subscriptions or the topics they resolve to changed, and then a new target assignment.
   */
  void refreshTarget(ConsumerGroup g, boolean subscriptionChanged) {
    Map<String, SubscribableTopics.Topic> subscribed = subscribedTopics(g);
    if (g.groupEpoch() == 0 || subscriptionChanged || !subscribed.equals(g.subscribedTopics())) {
      g.setSubscribedTopics(subscribed);
      g.bumpGroupEpoch();
      log.info("Bumped epoch of {} to {}", g, g.groupEpoch());
    }
    if (g.groupEpoch() > g.assignmentEpoch()) {
      computeTargetAssignment(g);
    }
  }

  /** The topics the members subscribe to (by name or regex) that exist, with partition counts. */
  Map<String, SubscribableTopics.Topic> subscribedTopics(ConsumerGroup g) {
    Map<String, SubscribableTopics.Topic> out = new TreeMap<>();
    Map<String, SubscribableTopics.Topic> all = topics.topics();
    for (ConsumerGroupMember m : g.members()) {
      for (String t : m.subscribedTopicNames) {
        SubscribableTopics.Topic topic = all.get(t);
        if (topic != null) {
          out.put(t, topic);
        }
      }
      if (m.subscribedPattern != null) {
        for (Map.Entry<String, SubscribableTopics.Topic> e : all.entrySet()) {
          if (m.matchesPattern(e.getKey())) {
            out.put(e.getKey(), e.getValue());
          }
        }
      }
    }
    return out;
  }

  void computeTargetAssignment(ConsumerGroup g) {
    ConsumerAssignor assignor = assignors.get(preferredAssignor(g));
    SortedMap<String, ConsumerAssignor.Subscriber> members = new TreeMap<>();
    Map<String, ConsumerAssignor.SubscribedTopic> subscribed = new HashMap<>();
    for (Map.Entry<String, SubscribableTopics.Topic> e : g.subscribedTopics().entrySet()) {
      subscribed.put(
          e.getKey(),
          new ConsumerAssignor.SubscribedTopic(
              e.getValue().id(), e.getValue().partitions(), e.getValue().partitionRacks()));
    }
    for (ConsumerGroupMember m : g.members()) {
      Set<String> mine = new TreeSet<>();
      for (String t : subscribed.keySet()) {
        if (m.subscribesTo(t)) {
          mine.add(t);
        }
      }
      members.put(
          m.memberId, new ConsumerAssignor.Subscriber(mine, g.targetOf(m.memberId), m.rackId));
    }
    g.setTargetAssignment(g.groupEpoch(), assignor.name(), assignor.assign(members, subscribed));
    log.info(
        "Computed target assignment of {} at epoch {} with {} ({} members)",
        g,
        g.groupEpoch(),
        assignor.name(),
        members.size());
  }

  /** The assignor most members ask for, else the first configured one. */
  String preferredAssignor(ConsumerGroup g) {
    Map<String, Integer> votes = new HashMap<>();
    for (ConsumerGroupMember m : g.members()) {
      if (m.serverAssignor != null) {
        votes.merge(m.serverAssignor, 1, Integer::sum);
      }
    }
    String best = config.assignors().get(0);
    int bestVotes = 0;
    for (String a : config.assignors()) {
      int v = votes.getOrDefault(a, 0);
      if (v > bestVotes) {
        best = a;
        bestVotes = v;
      }
    }
    return best;
  }
}
