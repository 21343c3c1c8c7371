package dev.ferry.server.group;

import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Maps topic names to ids and back, for OffsetCommit v10 and OffsetFetch v10, which carry topic ids
 * only. Offsets are stored by topic name, as Kafka does.
 */
public interface TopicIdResolver {

  Optional<Uuid> topicId(String topicName);

  Optional<String> topicName(Uuid topicId);
}
