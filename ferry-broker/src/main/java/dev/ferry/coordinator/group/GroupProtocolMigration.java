package dev.ferry.coordinator.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online migration of a live group between the classic and the consumer protocol (KIP-848), as
 * {@code group.consumer.migration.policy} allows:
 *
 * <ul>
 *   <li>Upgrade: the first ConsumerGroupHeartbeat to a classic group with members turns it into a
 *       consumer-protocol group. Each classic member becomes a member at epoch = the classic
 *       generation, owning (and targeted with) its last classic assignment, and keeps speaking
 *       JoinGroup/SyncGroup/Heartbeat ({@link ClassicMembersOfConsumerGroups}).
 *   <li>Downgrade: when the last consumer-protocol member of such a group leaves and only classic
 *       members remain, they go back to the classic group at generation = the group epoch, with
 *       their target assignment, and a rebalance starts.
 * </ul>
 *
 * <p>The classic registry entry of the group id stays throughout: it holds the committed offsets,
 * so neither direction touches them.
 */
final class GroupProtocolMigration {

  private static final Logger log = LoggerFactory.getLogger(GroupProtocolMigration.class);

  private final ConsumerGroupConfig config;
  private final int classicMaxSize;
  private final Time time;
  private final GroupRegistry registry;
  private final GroupWriter writer;
  private final MembershipManager membership;
  private final SubscribableTopics topics;

  GroupProtocolMigration(
      ConsumerGroupConfig config,
      int classicMaxSize,
      Time time,
      GroupRegistry registry,
      GroupWriter writer,
      MembershipManager membership,
      SubscribableTopics topics) {
    this.config = config;
    this.classicMaxSize = classicMaxSize;
    this.time = time;
    this.registry = registry;
    this.writer = writer;
    this.membership = membership;
    this.topics = topics;
  }

  // ---------------------------------------------------------------- upgrade

  /**
   * The consumer-protocol group that replaces classic group {@code c} (locked by the caller, with
   * members); not yet published. Parked JoinGroup/SyncGroup requests of the classic members are
   * answered REBALANCE_IN_PROGRESS through {@code d}, so they rejoin into the new group. Throws
   * GROUP_ID_NOT_FOUND, as Kafka does, when the policy or the group does not allow an upgrade.
   */
  ConsumerGroup upgrade(ClassicGroup c, Deferred d) {
    String why = upgradeRefusal(c);
    if (why != null) {
      log.info("Cannot upgrade {} to the consumer protocol: {}", c, why);
      throw Errors.GROUP_ID_NOT_FOUND.exception(
          "Group " + c.groupId() + " is not a consumer group.");
    }
    Map<String, SubscribableTopics.Topic> known = topics.topics();
    ConsumerGroup g = new ConsumerGroup(c.groupId(), c.offsetsPartition());
    Map<String, Map<Uuid, Set<Integer>>> target = new TreeMap<>();
    int generation = c.generationId();
    for (GroupMember cm : c.members()) {
      ConsumerGroupMember m;
      try {
        m = convert(cm, c.protocolName(), generation, known);
      } catch (IllegalArgumentException e) {
        log.warn("Cannot upgrade {}: member {} has a malformed subscription", c, cm.memberId, e);
        throw Errors.GROUP_ID_NOT_FOUND.exception(
            "Cannot upgrade the classic group "
                + c.groupId()
                + " to consumer group because the embedded consumer protocol is malformed.");
      }
      target.put(m.memberId, m.assigned);
      g.addMember(m);
    }
    g.restore(generation, generation, null, target, Map.of());
    for (GroupMember cm : c.members()) {
      if (cm.awaitingJoin != null) {
        d.complete(
            cm.awaitingJoin,
            MembershipManager.joinError(cm.memberId, Errors.REBALANCE_IN_PROGRESS));
        cm.awaitingJoin = null;
      }
      if (cm.awaitingSync != null) {
        d.complete(cm.awaitingSync, MembershipManager.syncError(Errors.REBALANCE_IN_PROGRESS));
        cm.awaitingSync = null;
      }
    }
    int n = c.members().size();
    c.handOverToConsumerGroup(time.milliseconds());
    writeQuietly(c);
    log.info(
        "Upgraded {} to the consumer protocol at epoch {} ({} classic members)", c, generation, n);
    return g;
  }

  private String upgradeRefusal(ClassicGroup c) {
    if (!config.migrationPolicy().upgradeEnabled()) {
      return ConsumerGroupMigrationPolicy.CONFIG + " is " + config.migrationPolicy();
    }
    if (!ConsumerSubscriptions.CONSUMER_PROTOCOL_TYPE.equals(c.protocolType())) {
      return "its protocol type is " + c.protocolType();
    }
    if (c.members().size() > config.maxSize()) {
      return "it has more members than " + ConsumerGroupConfig.MAX_SIZE;
    }
    return null;
  }

  private static ConsumerGroupMember convert(
      GroupMember cm,
      String protocolName,
      int generation,
      Map<String, SubscribableTopics.Topic> known) {
    byte[] metadata =
        protocolName != null ? cm.metadata(protocolName) : cm.protocols.get(0).metadata();
    ConsumerSubscriptions.Subscription sub = ConsumerSubscriptions.parse(metadata);
    ConsumerGroupMember m = new ConsumerGroupMember(cm.memberId);
    m.instanceId = cm.groupInstanceId;
    m.rackId = sub.rackId();
    m.clientId = cm.clientId;
    m.clientHost = cm.clientHost;
    m.rebalanceTimeoutMs = cm.rebalanceTimeoutMs;
    m.subscribedTopicNames = sub.topics();
    m.memberEpoch = generation;
    m.previousMemberEpoch = generation;
    m.state = ConsumerGroupMember.State.STABLE;
    m.assigned = toIds(ConsumerSubscriptions.parseAssignment(cm.assignment), known);
    m.classic = new ConsumerGroupMember.ClassicMetadata(cm.sessionTimeoutMs, cm.protocols);
    return m;
  }

  /** Topic names to ids; partitions of topics that no longer exist are dropped. */
  static Map<Uuid, Set<Integer>> toIds(
      Map<String, List<Integer>> byName, Map<String, SubscribableTopics.Topic> known) {
    Map<Uuid, Set<Integer>> out = new TreeMap<>();
    for (Map.Entry<String, List<Integer>> e : byName.entrySet()) {
      SubscribableTopics.Topic t = known.get(e.getKey());
      if (t != null && !e.getValue().isEmpty()) {
        out.computeIfAbsent(t.id(), k -> new TreeSet<>()).addAll(e.getValue());
      }
    }
    return out;
  }

  /** Topic ids to names; partitions of topics that no longer exist are dropped. */
  static Map<String, Set<Integer>> toNames(Map<Uuid, Set<Integer>> byId, Map<Uuid, String> names) {
    Map<String, Set<Integer>> out = new TreeMap<>();
    for (Map.Entry<Uuid, Set<Integer>> e : byId.entrySet()) {
      String name = names.get(e.getKey());
      if (name != null) {
        out.put(name, e.getValue());
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- downgrade

  /**
   * Whether {@code leaving} leaving {@code g} (locked by the caller) downgrades it: it is the last
   * consumer-protocol member, classic members remain, and the policy and {@code group.max.size}
   * allow it. If so the classic members are back in the classic group, rebalancing, and the caller
   * must drop {@code g}.
   */
  boolean downgradeOnLeave(ConsumerGroup g, ConsumerGroupMember leaving, Deferred d) {
    if (leaving.usesClassicProtocol() || g.member(leaving.memberId) != leaving) {
      return false;
    }
    List<ConsumerGroupMember> remaining = new ArrayList<>();
    for (ConsumerGroupMember m : g.members()) {
      if (m != leaving) {
        if (!m.usesClassicProtocol()) {
          return false;
        }
        remaining.add(m);
      }
    }
    if (remaining.isEmpty()) {
      return false;
    }
    if (!config.migrationPolicy().downgradeEnabled()) {
      log.info(
          "Not downgrading {}: {} is {}",
          g,
          ConsumerGroupMigrationPolicy.CONFIG,
          config.migrationPolicy());
      return false;
    }
    if (remaining.size() > classicMaxSize) {
      log.info("Not downgrading {}: more members than group.max.size", g);
      return false;
    }
    long now = time.milliseconds();
    ClassicGroup c;
    try {
      c = registry.lock(g.groupId(), true, now);
    } catch (ApiException e) {
      return false;
    }
    try {
      if (c.is(GroupState.DEAD) || !c.members().isEmpty() || c.pendingMemberCount() > 0) {
        return false;
      }
      Map<Uuid, String> names = topics.namesById();
      List<GroupMember> members = new ArrayList<>(remaining.size());
      for (ConsumerGroupMember m : remaining) {
        GroupMember cm =
            new GroupMember(
                m.memberId,
                m.instanceId,
                m.clientId,
                m.clientHost,
                m.rebalanceTimeoutMs,
                m.classic.sessionTimeoutMs(),
                m.classic.protocols());
        cm.assignment =
            ConsumerSubscriptions.assignment(
                toNames(g.targetOf(m.memberId), names),
                ConsumerSubscriptions.parse(m.classic.preferred().metadata()).version());
        cm.synced = true;
        members.add(cm);
      }
      c.takeOverFromConsumerGroup(
          members, ConsumerSubscriptions.CONSUMER_PROTOCOL_TYPE, g.groupEpoch(), now);
      membership.resumeAfterDowngrade(c, d);
      writeQuietly(c);
      log.info(
          "Downgraded {} to the classic protocol at generation {} ({} members) as {} left",
          g,
          g.groupEpoch(),
          members.size(),
          leaving);
      return true;
    } finally {
      c.lock().unlock();
    }
  }

  private void writeQuietly(ClassicGroup c) {
    try {
      writer
          .writeGroup(registry.logFor(c), c)
          .whenComplete(
              (ok, err) -> {
                if (err != null) {
                  log.warn("Could not store {} after a protocol migration: {}", c, err.toString());
                }
              });
    } catch (ApiException e) {
      log.warn("Could not store {} after a protocol migration: {}", c, e.toString());
    }
  }
}
