package dev.ferry.metadata;

import java.util.Set;
import java.util.concurrent.Executor;

/**
 * What the cluster controller needs of the metadata store: the election, its epoch fence, fenced
 * partition-state and assignment writes and the controlled-shutdown requests. Blocking: controller
 * thread only.
 */
public interface ControllerStore extends ReassignmentStore {

  /** Bumps the controller epoch; called by a newly elected controller. */
  ControllerEpoch claimControllerEpoch();

  /** This broker's candidacy for controller; {@link ControllerElection#start()} joins. */
  ControllerElection controllerElection(
      int brokerId, ControllerElection.Listener listener, Executor executor);

  /**
   * The brokers that asked for controlled shutdown; {@code onChange} runs (once, on a store thread)
   * when that set changes next.
   */
  Set<Integer> shutdownRequests(Runnable onChange);

  /**
   * The replicas each broker reported offline ({@link MetadataStore#reportOfflineReplicas}), by
   * broker id; {@code onChange} runs (once, on a store thread) when a report comes, changes or
   * goes.
   */
  java.util.Map<Integer, Set<org.apache.kafka.common.TopicPartition>> offlineReplicas(
      Runnable onChange);
}
