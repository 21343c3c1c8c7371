package dev.ferry.console.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** Offsets of partitions by spec (earliest, latest, by time) through the Admin client. */
final class Offsets {

  private Offsets() {}

  static Map<TopicPartition, Long> of(
      Admin admin, Map<TopicPartition, OffsetSpec> specs, long timeoutMs) {
    Map<TopicPartition, Long> out = new HashMap<>();
    if (specs.isEmpty()) {
      return out;
    }
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> infos =
        KafkaCalls.await(admin.listOffsets(specs).all(), timeoutMs);
    infos.forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }
}
