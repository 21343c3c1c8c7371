package dev.ferry.coordinator.group;

import static dev.ferry.coordinator.group.GroupRecords.readString;
import static dev.ferry.coordinator.group.GroupRecords.writeString;

import com.google.re2j.Pattern;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The value of a consumer-protocol group's record (key type 3 in {@link GroupRecords}): a snapshot
 * of everything a new coordinator needs to carry on, written whenever it changes. Compaction keeps
 * the latest; a tombstone deletes the group.
 *
 * <pre>
 * value := int16 version (0 or 1), int32 groupEpoch, int32 assignmentEpoch, string assignor,
 *          int32 n, n times: string topic, uuid id, int32 partitions     (subscribed topics)
 *          int32 m, m times: member
 * member := string memberId, string instanceId, string rackId, string clientId,
 *           string clientHost, int32 rebalanceTimeoutMs, int32 k, k times string topic,
 *           string regex, string serverAssignor, int32 memberEpoch, int32 previousEpoch,
 *           int8 state, assignment assigned, assignment pendingRevocation, assignment target,
 *           classic (version 1 only)
 * classic := int8 0 (a consumer-protocol member) | int8 1, int32 sessionTimeoutMs,
 *            int32 n, n times: string protocolName, bytes metadata  (a classic-protocol member)
 * assignment := int32 t, t times: uuid topicId, int32 p, p times int32 partition
 * uuid := int64 most significant bits, int64 least significant bits
 * </pre>
 */
final class ConsumerGroupRecords {

  static final short VALUE_VERSION = 1;

  private ConsumerGroupRecords() {}

  /** The group's state as a record value. Caller holds the group lock. */
  static byte[] value(ConsumerGroup g) {
    return GroupRecords.write(
        out -> {
          out.writeShort(VALUE_VERSION);
          out.writeInt(g.groupEpoch());
          out.writeInt(g.assignmentEpoch());
          writeString(out, g.assignorName());
          out.writeInt(g.subscribedTopics().size());
          for (Map.Entry<String, SubscribableTopics.Topic> e : g.subscribedTopics().entrySet()) {
            writeString(out, e.getKey());
            writeUuid(out, e.getValue().id());
            out.writeInt(e.getValue().partitions());
          }
          out.writeInt(g.members().size());
          for (ConsumerGroupMember m : g.members()) {
            writeString(out, m.memberId);
            writeString(out, m.instanceId);
            writeString(out, m.rackId);
            writeString(out, m.clientId);
            writeString(out, m.clientHost);
            out.writeInt(m.rebalanceTimeoutMs);
            out.writeInt(m.subscribedTopicNames.size());
            for (String t : m.subscribedTopicNames) {
              writeString(out, t);
            }
            writeString(out, m.subscribedTopicRegex);
            writeString(out, m.serverAssignor);
            out.writeInt(m.memberEpoch);
            out.writeInt(m.previousMemberEpoch);
            out.writeByte(m.state.ordinal());
            writeAssignment(out, m.assigned);
            writeAssignment(out, m.pendingRevocation);
            writeAssignment(out, g.targetOf(m.memberId));
            writeClassic(out, m.classic);
          }
        });
  }

  /** A group rebuilt from a record value (no timers armed yet). */
  static ConsumerGroup parse(String groupId, int offsetsPartition, ByteBuffer value) {
    ByteBuffer b = value.duplicate();
    try {
      short version = b.getShort();
      if (version < 0 || version > VALUE_VERSION) {
        throw new GroupRecords.MalformedRecordException(
            "Unknown consumer group value version " + version, null);
      }
      int groupEpoch = b.getInt();
      int assignmentEpoch = b.getInt();
      String assignor = readString(b);
      Map<String, SubscribableTopics.Topic> topics = new TreeMap<>();
      for (int i = b.getInt(); i > 0; i--) {
        String name = readString(b);
        topics.put(name, new SubscribableTopics.Topic(readUuid(b), b.getInt()));
      }
      ConsumerGroup g = new ConsumerGroup(groupId, offsetsPartition);
      Map<String, Map<Uuid, Set<Integer>>> target = new TreeMap<>();
      for (int i = b.getInt(); i > 0; i--) {
        ConsumerGroupMember m = new ConsumerGroupMember(readString(b));
        m.instanceId = readString(b);
        m.rackId = readString(b);
        m.clientId = readString(b);
        m.clientHost = readString(b);
        m.rebalanceTimeoutMs = b.getInt();
        List<String> names = new ArrayList<>();
        for (int k = b.getInt(); k > 0; k--) {
          names.add(readString(b));
        }
        m.subscribedTopicNames = List.copyOf(names);
        m.subscribedTopicRegex = readString(b);
        m.subscribedPattern =
            m.subscribedTopicRegex == null ? null : Pattern.compile(m.subscribedTopicRegex);
        m.serverAssignor = readString(b);
        m.memberEpoch = b.getInt();
        m.previousMemberEpoch = b.getInt();
        m.state = ConsumerGroupMember.State.values()[b.get()];
        m.assigned = readAssignment(b);
        m.pendingRevocation = readAssignment(b);
        target.put(m.memberId, readAssignment(b));
        m.classic = version >= 1 ? readClassic(b) : null;
        g.addMember(m);
      }
      g.restore(groupEpoch, assignmentEpoch, assignor, target, topics);
      return g;
    } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new GroupRecords.MalformedRecordException("Malformed consumer group value", e);
    }
  }

  private static void writeClassic(DataOutputStream out, ConsumerGroupMember.ClassicMetadata c)
      throws IOException {
    out.writeByte(c == null ? 0 : 1);
    if (c != null) {
      out.writeInt(c.sessionTimeoutMs());
      out.writeInt(c.protocols().size());
      for (GroupMember.Protocol p : c.protocols()) {
        writeString(out, p.name());
        GroupRecords.writeBytes(out, p.metadata());
      }
    }
  }

  private static ConsumerGroupMember.ClassicMetadata readClassic(ByteBuffer b) {
    if (b.get() == 0) {
      return null;
    }
    int sessionTimeoutMs = b.getInt();
    List<GroupMember.Protocol> protocols = new ArrayList<>();
    for (int n = b.getInt(); n > 0; n--) {
      protocols.add(new GroupMember.Protocol(readString(b), GroupRecords.readBytes(b)));
    }
    return new ConsumerGroupMember.ClassicMetadata(sessionTimeoutMs, protocols);
  }

  private static void writeUuid(DataOutputStream out, Uuid id) throws IOException {
    out.writeLong(id.getMostSignificantBits());
    out.writeLong(id.getLeastSignificantBits());
  }

  private static Uuid readUuid(ByteBuffer b) {
    return new Uuid(b.getLong(), b.getLong());
  }

  private static void writeAssignment(DataOutputStream out, Map<Uuid, Set<Integer>> a)
      throws IOException {
    out.writeInt(a.size());
    for (Map.Entry<Uuid, Set<Integer>> e : a.entrySet()) {
      writeUuid(out, e.getKey());
      out.writeInt(e.getValue().size());
      for (int p : e.getValue()) {
        out.writeInt(p);
      }
    }
  }

  private static Map<Uuid, Set<Integer>> readAssignment(ByteBuffer b) {
    Map<Uuid, Set<Integer>> out = new TreeMap<>();
    for (int t = b.getInt(); t > 0; t--) {
      Uuid id = readUuid(b);
      Set<Integer> ps = new TreeSet<>();
      for (int p = b.getInt(); p > 0; p--) {
        ps.add(b.getInt());
      }
      out.put(id, ps);
    }
    return out;
  }
}
