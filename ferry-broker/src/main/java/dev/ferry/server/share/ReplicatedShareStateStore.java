package dev.ferry.server.share;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.coordinator.share.SharePartitionKey;
import dev.ferry.coordinator.share.ShareStateSnapshot;
import dev.ferry.coordinator.share.ShareStateStore;
import dev.ferry.coordinator.share.state.ShareStateCoordinator;
import dev.ferry.coordinator.share.state.ShareStateTopicConfig;
import dev.ferry.coordinator.transaction.InterBrokerClient;
import dev.ferry.server.admin.AdminFutures;
import dev.ferry.server.cluster.ClusterView;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateResponse;
import org.apache.kafka.common.requests.WriteShareGroupStateResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share-partition state kept by the share coordinator in the replicated, compacted {@code
 * __share_group_state} topic, as Kafka keeps it: the share-partition leader (this broker) sends
 * each state to the leader of the key's state partition, directly when that is this broker and with
 * ReadShareGroupState / WriteShareGroupState / DeleteShareGroupState otherwise. A write completes
 * once the state partition's in-sync replicas have it, so the state outlives the share-partition
 * leader and any single broker: a new leader of the data partition reads it back.
 *
 * <p>The topic is created on first use (with {@code share.coordinator.state.topic.*}); until it and
 * its leaders are there, and whenever the coordinator moved, requests are retried with a short
 * backoff within {@code share.coordinator.write.timeout.ms} (writes) or {@link #READ_TIMEOUT_MS}
 * (reads, which run on the share-partition loader thread).
 */
public final class ReplicatedShareStateStore implements ShareStateStore {

  private static final Logger log = LoggerFactory.getLogger(ReplicatedShareStateStore.class);

  /** How long a share-partition load waits for its state (topic creation, coordinator loads). */
  static final long READ_TIMEOUT_MS = 30_000;

  private static final long RETRY_BACKOFF_MS = 50;

  private final ShareStateCoordinator coordinator;
  private final ClusterView cluster;
  private final TopicAdmin topics;
  private final InterBrokerClient remote;
  private final AtomicBoolean creating = new AtomicBoolean();

  public ReplicatedShareStateStore(
      ShareStateCoordinator coordinator,
      ClusterView cluster,
      TopicAdmin topics,
      InterBrokerClient remote) {
    this.coordinator = coordinator;
    this.cluster = cluster;
    this.topics = topics;
    this.remote = remote;
  }

  private ShareStateTopicConfig config() {
    return coordinator.config();
  }

  // ------------------------------------------------------------------- the store

  @Override
  public Optional<ShareStateSnapshot> read(SharePartitionKey key) throws IOException {
    long deadline = System.currentTimeMillis() + READ_TIMEOUT_MS;
    while (true) {
      Attempt<Optional<ShareStateSnapshot>> a;
      try {
        a = readOnce(key).get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        a = new Attempt<>(Errors.COORDINATOR_NOT_AVAILABLE, null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted reading the state of " + key, e);
      }
      if (a.error() == Errors.NONE) {
        return a.value();
      }
      if (!retriable(a.error()) || System.currentTimeMillis() >= deadline) {
        throw new IOException("Cannot read the state of " + key + ": " + a.error());
      }
      pause();
    }
  }

  @Override
  public CompletableFuture<Void> write(
      SharePartitionKey key, int leaderEpoch, ShareStateSnapshot state) {
    return withRetries(
        key,
        () -> writeOnce(key, leaderEpoch, state),
        System.currentTimeMillis() + config().writeTimeoutMs());
  }

  @Override
  public void delete(SharePartitionKey key) throws IOException {
    try {
      withRetries(key, () -> writeOnce(key, -1, null), System.currentTimeMillis() + READ_TIMEOUT_MS)
          .get(READ_TIMEOUT_MS + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("Cannot delete the state of " + key, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted deleting the state of " + key, e);
    }
  }

  /**
   * The share-partitions of {@code groupId} with state in the state partitions this broker leads:
   * every one on a single broker, a subset in a cluster (see docs/architecture.md).
   */
  @Override
  public List<SharePartitionKey> keys(String groupId) {
    return coordinator.keys(groupId);
  }

  // ------------------------------------------------------------------- one attempt

  private record Attempt<T>(Errors error, T value) {}

  private CompletableFuture<Attempt<Optional<ShareStateSnapshot>>> readOnce(SharePartitionKey key) {
    Optional<Node> leader = leaderFor(key);
    if (leader.isEmpty()) {
      return CompletableFuture.completedFuture(
          new Attempt<>(Errors.COORDINATOR_NOT_AVAILABLE, null));
    }
    if (leader.get().id() == cluster.localBrokerId()) {
      ShareStateCoordinator.ReadResult r = coordinator.read(key);
      return CompletableFuture.completedFuture(new Attempt<>(r.error(), r.state()));
    }
    return remote
        .send(leader.get(), ShareStateMessages.readRequest(key, -1))
        .handle(
            (response, failure) -> {
              if (failure != null) {
                return new Attempt<>(Errors.COORDINATOR_NOT_AVAILABLE, null);
              }
              ReadShareGroupStateResponseData.PartitionResult p =
                  ((ReadShareGroupStateResponse) response)
                      .data()
                      .results()
                      .get(0)
                      .partitions()
                      .get(0);
              Errors e = Errors.forCode(p.errorCode());
              return e == Errors.NONE
                  ? new Attempt<>(e, ShareStateMessages.stateOf(p))
                  : new Attempt<>(e, null);
            });
  }

  /** Writes {@code state}, or deletes it when null; completes with the coordinator's error. */
  private CompletableFuture<Errors> writeOnce(
      SharePartitionKey key, int leaderEpoch, ShareStateSnapshot state) {
    Optional<Node> leader = leaderFor(key);
    if (leader.isEmpty()) {
      return CompletableFuture.completedFuture(Errors.COORDINATOR_NOT_AVAILABLE);
    }
    if (leader.get().id() == cluster.localBrokerId()) {
      return coordinator.write(key, leaderEpoch, state);
    }
    return remote
        .send(
            leader.get(),
            state == null
                ? ShareStateMessages.deleteRequest(key)
                : ShareStateMessages.writeRequest(key, leaderEpoch, state))
        .handle(
            (response, failure) -> {
              if (failure != null) {
                return Errors.COORDINATOR_NOT_AVAILABLE;
              }
              short code =
                  response instanceof WriteShareGroupStateResponse w
                      ? w.data().results().get(0).partitions().get(0).errorCode()
                      : ((DeleteShareGroupStateResponse) response)
                          .data()
                          .results()
                          .get(0)
                          .partitions()
                          .get(0)
                          .errorCode();
              return Errors.forCode(code);
            });
  }

  private CompletableFuture<Void> withRetries(
      SharePartitionKey key, Supplier<CompletableFuture<Errors>> attempt, long deadline) {
    CompletableFuture<Void> out = new CompletableFuture<>();
    retry(key, attempt, deadline, out);
    return out;
  }

  private void retry(
      SharePartitionKey key,
      Supplier<CompletableFuture<Errors>> attempt,
      long deadline,
      CompletableFuture<Void> out) {
    CompletableFuture<Errors> f;
    try {
      f = attempt.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (error, failure) -> {
          Errors e = failure != null ? Errors.COORDINATOR_NOT_AVAILABLE : error;
          if (e == Errors.NONE) {
            out.complete(null);
          } else if (retriable(e) && System.currentTimeMillis() < deadline) {
            Executor later =
                CompletableFuture.delayedExecutor(RETRY_BACKOFF_MS, TimeUnit.MILLISECONDS);
            later.execute(() -> retry(key, attempt, deadline, out));
          } else {
            log.warn("Could not write the state of share-partition {}: {}", key, e);
            out.completeExceptionally(e.exception("Share state write of " + key + " failed"));
          }
        });
  }

  private static boolean retriable(Errors e) {
    return e == Errors.NOT_COORDINATOR
        || e == Errors.COORDINATOR_NOT_AVAILABLE
        || e == Errors.COORDINATOR_LOAD_IN_PROGRESS;
  }

  private static void pause() throws IOException {
    try {
      Thread.sleep(RETRY_BACKOFF_MS); // a bounded retry backoff on the loader thread
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted", e);
    }
  }

  // ------------------------------------------------------------------- the state topic

  /** The leader of {@code key}'s state partition, creating the topic on first use. */
  private Optional<Node> leaderFor(SharePartitionKey key) {
    if (cluster.store().topic(ShareStateTopicConfig.TOPIC).isEmpty()) {
      createOnce();
      return Optional.empty();
    }
    return cluster.leaderOf(ShareStateTopicConfig.TOPIC, coordinator.partitionFor(key));
  }

  private void createOnce() {
    if (!creating.compareAndSet(false, true)) {
      return;
    }
    // A small cluster gets as many replicas as it has brokers rather than no share groups.
    short rf =
        (short) Math.max(1, Math.min(config().replicationFactor(), cluster.liveBrokers().size()));
    Map<String, String> configs = config().topicConfigs(rf);
    topics
        .createTopic(
            ShareStateTopicConfig.TOPIC, config().numPartitions(), rf, Map.of(), configs, false)
        .whenComplete(
            (created, error) -> {
              Throwable cause = error == null ? null : AdminFutures.cause(error);
              if (cause == null) {
                log.info(
                    "Created {} with {} partitions, replication factor {}",
                    ShareStateTopicConfig.TOPIC,
                    config().numPartitions(),
                    rf);
              } else if (!(cause instanceof TopicExistsException)) {
                log.warn("Could not create {}: {}", ShareStateTopicConfig.TOPIC, cause.toString());
              }
              creating.set(false);
            });
  }
}
