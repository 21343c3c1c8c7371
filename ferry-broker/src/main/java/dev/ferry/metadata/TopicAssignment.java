package dev.ferry.metadata;

import java.util.List;
import java.util.SortedMap;
import org.apache.kafka.common.Uuid;

/**
 * A topic's id and replica assignment as a metadata store keeps it, without its configs (which a
 * store keeps apart, so that changing one does not rewrite the other).
 */
public record TopicAssignment(Uuid topicId, SortedMap<Integer, List<Integer>> partitions) {}
