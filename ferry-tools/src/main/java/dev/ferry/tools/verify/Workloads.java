package dev.ferry.tools.verify;

import dev.ferry.tools.common.CliException;
import dev.ferry.tools.common.ClientOptions;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Errors;
import dev.ferry.verify.WorkloadChecker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** What {@code verify run} and {@code verify produce} share: start, pace, stop a workload. */
final class Workloads {

  /** How often progress goes to stderr. */
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private Workloads() {}

  static String newRunId() {
    byte[] id = new byte[4];
    ThreadLocalRandom.current().nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  /** How long a record may be retried: long enough to ride out a broker restart. */
  static Duration deliveryTimeout(ClientOptions client) {
    return Duration.ofMillis(Math.max(30_000L, 3L * client.requestTimeoutMs));
  }

  static Map<String, Object> clientProperties(ClientOptions client) {
    Map<String, Object> p = new java.util.HashMap<>(client.extraProperties());
    p.putIfAbsent("request.timeout.ms", client.requestTimeoutMs);
    p.putIfAbsent("default.api.timeout.ms", client.requestTimeoutMs);
    return p;
  }

  /**
   * Refuses a topic that exists with another partition count than {@code partitions}: records are
   * written to partitions by number.
   */
  static void checkExistingTopic(ClientOptions client, String topic, int partitions)
      throws InterruptedException {
    try (Admin admin = Clients.admin(client)) {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      if (d.partitions().size() != partitions) {
        throw new CliException(
            "topic "
                + topic
                + " has "
                + d.partitions().size()
                + " partitions; pass --partitions "
                + d.partitions().size());
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
        throw new CliException(Errors.describe(e.getCause(), client), e.getCause());
      }
    }
  }

  static void deleteTopic(ClientOptions client, String topic, PrintWriter err)
      throws InterruptedException {
    try (Admin admin = Clients.admin(client)) {
      admin.deleteTopics(List.of(topic)).all().get();
    } catch (ExecutionException e) {
      err.println("ferry: warning: could not delete topic " + topic + ": " + e.getCause());
    }
  }

  /**
   * Produces for {@code duration}, printing progress to {@code err}, then stops the producers
   * (waiting for outstanding records). Fails if nothing was acknowledged.
   */
  static void produceFor(
      WorkloadChecker workload, Duration duration, Duration deliveryTimeout, PrintWriter err)
      throws InterruptedException {
    // The clock starts when the producers can send: a first transactional producer may wait
    // seconds for the cluster to create its transaction log.
    workload.awaitProducersReady(deliveryTimeout);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    while (System.nanoTime() - end < 0 && !workload.producersDone()) {
      long left = end - System.nanoTime();
      Thread.sleep(Math.max(1, Math.min(PROGRESS_EVERY.toMillis(), left / 1_000_000)));
      err.printf(
          "%5.1f s: %,d sent, %,d acknowledged, %,d read live%n",
          (System.nanoTime() - start) / 1e9,
          workload.sent(),
          workload.acknowledged(),
          workload.liveRecords());
      err.flush();
    }
    workload.stopProducing(deliveryTimeout.plusSeconds(30));
    if (workload.acknowledged() == 0) {
      Exception e = workload.lastProducerError();
      throw new CliException(
          "no record was acknowledged" + (e == null ? "" : ": " + Errors.describe(e, null)), e);
    }
  }
}
