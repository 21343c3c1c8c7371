package dev.ferry.reliability;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The high watermark and log end gauges of every replica of a topic, scraped from the brokers'
 * {@code /metrics} endpoints (brokers started with a {@code metrics.port}). A follower learns the
 * final high watermark only on its next fetch; a test that stops a cluster to compare its replicas
 * on disk waits for {@link #everyReplicaCommittedItsLogEnd} instead of sleeping.
 */
final class ReplicaGauges {

  private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(SCRAPE_TIMEOUT).build();
  private final Pattern gauge;
  private final int partitions;

  ReplicaGauges(String topic, int partitions) {
    this.partitions = partitions;
    this.gauge =
        Pattern.compile(
            "^(ferry_partition_high_watermark|ferry_partition_log_end_offset)"
                + "\\{partition=\"(\\d+)\",topic=\""
                + Pattern.quote(topic)
                + "\"} (\\S+)$",
            Pattern.MULTILINE);
  }

  /**
   * Whether each of {@code brokers} reports, for every partition, a high watermark equal to its log
   * end, and that offset is the same on every broker: all replicas hold the same log and know all
   * of it is committed.
   */
  boolean everyReplicaCommittedItsLogEnd(List<ManagedBroker> brokers)
      throws IOException, InterruptedException {
    Map<Integer, Set<Long>> offsets = new HashMap<>();
    Map<Integer, Integer> gauges = new HashMap<>();
    for (ManagedBroker b : brokers) {
      String body =
          http.send(
                  HttpRequest.newBuilder(b.metricsUrl()).timeout(SCRAPE_TIMEOUT).build(),
                  BodyHandlers.ofString())
              .body();
      Matcher m = gauge.matcher(body);
      while (m.find()) {
        int partition = Integer.parseInt(m.group(2));
        offsets.computeIfAbsent(partition, p -> new HashSet<>()).add(parseOffset(m.group(3)));
        gauges.merge(partition, 1, Integer::sum);
      }
    }
    for (int p = 0; p < partitions; p++) {
      // Two gauges per replica, all the same offset.
      if (gauges.getOrDefault(p, 0) != 2 * brokers.size() || offsets.get(p).size() != 1) {
        return false;
      }
    }
    return true;
  }

  private static long parseOffset(String value) {
    return (long) Double.parseDouble(value);
  }
}
