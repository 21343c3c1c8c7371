package dev.ferry.coordinator.share.state;

import dev.ferry.coordinator.group.CoordinatorLog;
import dev.ferry.coordinator.share.SharePartitionKey;
import dev.ferry.coordinator.share.ShareStateSnapshot;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share coordinator (KIP-932): keeps the durable state of share-partitions in the {@code
 * __share_group_state} partitions this broker leads. Taking over a partition replays its records
 * into memory on the loader executor (the latest record of each share-partition is its state);
 * reads are answered from memory; a write is appended through the partition's {@link
 * CoordinatorLog}, which completes once the in-sync replicas have it (the same replicated append as
 * the group and transaction coordinators'), and only then becomes the state that reads see. So a
 * coordinator that takes over after a failover finds every state write that was acknowledged.
 *
 * <p>Writes carry the share-partition leader's epoch: one from an older epoch than the stored
 * state's is refused with FENCED_LEADER_EPOCH, so a deposed leader cannot overwrite its successor's
 * state.
 */
public final class ShareStateCoordinator {

  private static final Logger log = LoggerFactory.getLogger(ShareStateCoordinator.class);
  private static final int READ_BYTES = 1 << 20;

  /** A stored state: the writer's leader epoch and the state-topic offset it was written at. */
  private record Stored(int leaderEpoch, ShareStateSnapshot state, long offset) {}

  /** One state partition led here, in one leadership term. */
  private static final class Owned {
    final int partition;
    final CoordinatorLog log;
    final Map<SharePartitionKey, Stored> states = new ConcurrentHashMap<>();
    volatile boolean loaded;

    Owned(int partition, CoordinatorLog log) {
      this.partition = partition;
      this.log = log;
    }
  }

  /** The answer to a read: an error, or the state (empty when there is none). */
  public record ReadResult(Errors error, Optional<ShareStateSnapshot> state) {}

  private final ShareStateTopicConfig config;
  private final Executor loader;
  private final Time time;
  private final Map<Integer, Owned> owned = new ConcurrentHashMap<>();

  public ShareStateCoordinator(ShareStateTopicConfig config, Executor loader, Time time) {
    this.config = config;
    this.loader = loader;
    this.time = time;
  }

  public ShareStateTopicConfig config() {
    return config;
  }

  /** The state partition of {@code key}. */
  public int partitionFor(SharePartitionKey key) {
    return config.partitionFor(
        key.groupId(), key.partition().topicId(), key.partition().partition());
  }

  /** Takes over state partition {@code p} (again, at a new epoch): its records are replayed. */
  public void onBecomeLeader(int p, CoordinatorLog partitionLog) {
    Owned o = new Owned(p, partitionLog);
    owned.put(p, o);
    try {
      loader.execute(() -> load(o));
    } catch (RuntimeException e) {
      owned.remove(p, o);
      log.error("Cannot load {}-{}", ShareStateTopicConfig.TOPIC, p, e);
    }
  }

  /** Gives up state partition {@code p}: its states stay in the log for the next leader. */
  public void onResign(int p) {
    if (owned.remove(p) != null) {
      log.info("Resigned as share coordinator of {}-{}", ShareStateTopicConfig.TOPIC, p);
    }
  }

  private void load(Owned o) {
    long t0 = time.milliseconds();
    try {
      long end = o.log.logEndOffset();
      long offset = o.log.logStartOffset();
      long count = 0;
      while (offset < end && owned.get(o.partition) == o) {
        Records records = o.log.read(offset, READ_BYTES);
        long before = offset;
        for (RecordBatch batch : records.batches()) {
          if (batch.lastOffset() < offset) {
            continue;
          }
          if (!batch.isControlBatch()) {
            for (Record r : batch) {
              if (r.offset() >= offset && r.hasKey()) {
                apply(o, r.key(), r.hasValue() ? r.value() : null, r.offset());
                count++;
              }
            }
          }
          offset = batch.nextOffset();
        }
        if (offset == before) {
          log.warn("Stopped loading {} at offset {} of {}: no batch there", o.log, offset, end);
          break;
        }
      }
      o.loaded = true;
      log.info(
          "Loaded {} share-partition states from {}-{} ({} records) in {} ms",
          o.states.size(),
          ShareStateTopicConfig.TOPIC,
          o.partition,
          count,
          time.milliseconds() - t0);
    } catch (RuntimeException e) {
      log.error("Failed to load {}-{}", ShareStateTopicConfig.TOPIC, o.partition, e);
      owned.remove(o.partition, o);
    }
  }

  private static void apply(Owned o, ByteBuffer key, ByteBuffer value, long offset) {
    SharePartitionKey k = ShareStateRecords.readKey(key);
    if (k == null) {
      return; // a key version this broker does not know
    }
    if (value == null) {
      o.states.remove(k);
      return;
    }
    ShareStateRecords.Value v = ShareStateRecords.readValue(value);
    if (v != null) {
      o.states.put(k, new Stored(v.leaderEpoch(), v.state(), offset));
    }
  }

  /** The owner of {@code key}'s state partition here, or the error a caller retries on. */
  private Owned owner(SharePartitionKey key, Errors[] error) {
    Owned o = owned.get(partitionFor(key));
    if (o == null) {
      error[0] = Errors.NOT_COORDINATOR;
    } else if (!o.loaded) {
      error[0] = Errors.COORDINATOR_LOAD_IN_PROGRESS;
    } else {
      error[0] = Errors.NONE;
    }
    return o;
  }

  /** The state of {@code key}, or NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. */
  public ReadResult read(SharePartitionKey key) {
    Errors[] error = new Errors[1];
    Owned o = owner(key, error);
    if (error[0] != Errors.NONE) {
      return new ReadResult(error[0], Optional.empty());
    }
    Stored s = o.states.get(normalized(key));
    return new ReadResult(Errors.NONE, Optional.ofNullable(s == null ? null : s.state()));
  }

  /**
   * Writes {@code state} as {@code key}'s state, or deletes it when {@code state} is null.
   * Completes with NONE once the write is replicated, or the error (FENCED_LEADER_EPOCH for a
   * writer older than the stored state's; NOT_COORDINATOR and the like when the partition moved or
   * the write could not be replicated in {@code share.coordinator.write.timeout.ms}).
   *
   * @param leaderEpoch the writer's leader epoch of the data partition; -1 (an admin request) skips
   *     the check and keeps the stored epoch
   */
  public CompletableFuture<Errors> write(
      SharePartitionKey key, int leaderEpoch, ShareStateSnapshot state) {
    Errors[] error = new Errors[1];
    Owned o = owner(key, error);
    if (error[0] != Errors.NONE) {
      return CompletableFuture.completedFuture(error[0]);
    }
    SharePartitionKey k = normalized(key);
    Stored current = o.states.get(k);
    int epoch = leaderEpoch;
    if (current != null) {
      if (leaderEpoch >= 0 && leaderEpoch < current.leaderEpoch()) {
        return CompletableFuture.completedFuture(Errors.FENCED_LEADER_EPOCH);
      }
      epoch = Math.max(leaderEpoch, current.leaderEpoch());
    }
    int storedEpoch = epoch;
    byte[] value = state == null ? null : ShareStateRecords.value(storedEpoch, state);
    MemoryRecords records =
        MemoryRecords.withRecords(
            Compression.NONE,
            new SimpleRecord(time.milliseconds(), ShareStateRecords.key(k), value));
    CompletableFuture<?> appended;
    try {
      appended = o.log.append(records);
    } catch (RuntimeException e) {
      appended = CompletableFuture.failedFuture(e);
    }
    return appended.handle(
        (result, failure) -> {
          if (failure != null) {
            return appendError(failure);
          }
          if (owned.get(o.partition) != o) {
            return Errors.NOT_COORDINATOR; // written, but a new term reloads it from the log
          }
          long offset = ((dev.ferry.storage.AppendResult) result).lastOffset();
          // Appends of one key complete in log order; the offset keeps a late completion from
          // replacing a newer state.
          o.states.compute(
              k,
              (kk, old) -> {
                if (old != null && old.offset() > offset) {
                  return old;
                }
                return state == null ? null : new Stored(storedEpoch, state, offset);
              });
          return Errors.NONE;
        });
  }

  /** The share-partitions of {@code groupId} with state in the partitions led here. */
  public List<SharePartitionKey> keys(String groupId) {
    List<SharePartitionKey> out = new ArrayList<>();
    for (Owned o : owned.values()) {
      for (SharePartitionKey k : o.states.keySet()) {
        if (k.groupId().equals(groupId)) {
          out.add(k);
        }
      }
    }
    return out;
  }

  /** Keys in memory carry no topic name (records do not have it). */
  private static SharePartitionKey normalized(SharePartitionKey key) {
    TopicIdPartition tp = key.partition();
    return tp.topic().isEmpty()
        ? key
        : new SharePartitionKey(
            key.groupId(), new TopicIdPartition(tp.topicId(), tp.partition(), ""));
  }

  private static Errors appendError(Throwable failure) {
    Throwable t = failure;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    Errors e = t instanceof ApiException ? Errors.forException(t) : Errors.UNKNOWN_SERVER_ERROR;
    log.warn("Share state write failed: {}", t.toString());
    return switch (e) {
      case NOT_LEADER_OR_FOLLOWER,
          UNKNOWN_TOPIC_OR_PARTITION,
          NOT_ENOUGH_REPLICAS,
          NOT_ENOUGH_REPLICAS_AFTER_APPEND,
          REQUEST_TIMED_OUT,
          KAFKA_STORAGE_ERROR,
          FENCED_LEADER_EPOCH ->
          Errors.NOT_COORDINATOR;
      default -> e;
    };
  }
}
