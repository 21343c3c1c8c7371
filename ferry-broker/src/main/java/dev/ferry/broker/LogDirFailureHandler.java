package dev.ferry.broker;

import dev.ferry.replication.ReplicaManager;
import dev.ferry.runtime.LoopThread;
import dev.ferry.runtime.ProcessHalt;
import dev.ferry.storage.LogDirFailureChannel;
import dev.ferry.storage.LogManager;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on log dirs reported failed (Kafka's log-dir failure handling): takes each one offline in
 * the log manager, stops hosting its partitions (producers get KAFKA_STORAGE_ERROR, their fetchers
 * stop) and, once no log dir is left, halts the broker: "Shutdown broker because all log dirs in
 * ... have failed". Halting is what moves leadership away: the broker's ZooKeeper session ends with
 * the process, the controller elects other leaders from the ISRs, and the restarted broker recovers
 * its logs from the files and catches up as a follower. While other dirs live, the broker tells the
 * controller which replicas it no longer hosts (all the failed dirs' partitions so far, Kafka's
 * log-dir event notification in ZooKeeper mode): it elects other leaders for them and takes this
 * broker out of their ISRs.
 *
 * <p>Runs on a thread of its own because the thread that met the error usually holds a partition's
 * log lock, while taking a dir offline touches every partition in it.
 */
public final class LogDirFailureHandler extends LoopThread {

  private static final Logger log = LoggerFactory.getLogger(LogDirFailureHandler.class);

  private final LogManager logs;
  private final ReplicaManager replicas;
  private final ProcessHalt halt;
  private final Consumer<Set<TopicPartition>> reportOffline;

  /** Every partition of the dirs failed so far (this thread only). */
  private final Set<TopicPartition> offline = new TreeSet<>(LogDirFailureHandler::compare);

  /** A handler that tells nobody of offline replicas (a broker without a controller). */
  public LogDirFailureHandler(
      int brokerId, LogManager logs, ReplicaManager replicas, ProcessHalt halt) {
    this(brokerId, logs, replicas, halt, partitions -> {});
  }

  /**
   * @param reportOffline told, after each failed dir while another lives, every partition of every
   *     dir failed so far (e.g. {@link dev.ferry.metadata.MetadataStore#reportOfflineReplicas})
   */
  public LogDirFailureHandler(
      int brokerId,
      LogManager logs,
      ReplicaManager replicas,
      ProcessHalt halt,
      Consumer<Set<TopicPartition>> reportOffline) {
    super("ferry-log-dir-failure-handler-" + brokerId);
    this.logs = logs;
    this.replicas = replicas;
    this.halt = halt;
    this.reportOffline = reportOffline;
  }

  private static int compare(TopicPartition a, TopicPartition b) {
    int c = a.topic().compareTo(b.topic());
    return c != 0 ? c : Integer.compare(a.partition(), b.partition());
  }

  @Override
  protected void doWork() throws InterruptedException {
    handleNext(1_000);
  }

  /**
   * Handles the next reported dir, waiting up to {@code timeoutMs} for one; false if none came.
   * Public for tests, which drive it without the thread.
   */
  public boolean handleNext(long timeoutMs) throws InterruptedException {
    LogDirFailureChannel channel = logs.dirFailureChannel();
    Path dir = channel.takeNext(timeoutMs);
    if (dir == null) {
      return false;
    }
    LogManager.OfflineDir offline = logs.handleLogDirFailure(dir);
    if (offline.noLiveDirLeft()) {
      log.error("Shutdown broker because all log dirs in {} have failed", logs.logDirs());
      halt.halt(1);
      return true;
    }
    replicas.takeOffline(offline);
    this.offline.addAll(offline.partitions());
    try {
      reportOffline.accept(Set.copyOf(this.offline));
    } catch (RuntimeException e) {
      log.warn("Could not report offline replicas {}: {}", this.offline, e.toString());
    }
    log.error(
        "Log dir {} is offline: partitions {} are no longer served here until a restart; log dirs"
            + " {} still are",
        offline.dir(),
        offline.partitions(),
        logs.liveDirs());
    return true;
  }
}
