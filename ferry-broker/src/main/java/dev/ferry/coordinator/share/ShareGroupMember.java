package dev.ferry.coordinator.share;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.common.Uuid;

/** One member of a share group; guarded by its group's monitor. */
final class ShareGroupMember {

  final String memberId;
  int epoch;
  String clientId = "";
  String clientHost = "";
  String rackId;
  List<String> subscriptions = List.of();
  Map<Uuid, List<Integer>> assignment = Map.of();
  long lastHeartbeatMs;
  ScheduledFuture<?> expiry;

  ShareGroupMember(String memberId) {
    this.memberId = memberId;
  }
}
