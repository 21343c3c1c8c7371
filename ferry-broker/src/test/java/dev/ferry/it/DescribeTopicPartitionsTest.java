package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin.describeTopics through DescribeTopicPartitions (KIP-966) with {@code
 * max.request.partition.size.limit=5}: the real client must follow the broker's cursor over six
 * pages to see every partition of 27.
 */
class DescribeTopicPartitionsTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private static final String PAGES = "ferry_requests_total{api=\"DescribeTopicPartitions\"}";

  @TempDir Path dir;

  @Test
  void adminDescribesEveryPartitionByFollowingTheCursor() throws Exception {
    int metricsPort = freePort();
    try (TestBroker broker =
            TestBroker.start(
                dir,
                Map.of(
                    "max.request.partition.size.limit",
                    "5",
                    "metrics.port",
                    Integer.toString(metricsPort)));
        Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("gamma", 12, (short) 1),
                  new NewTopic("alpha", 12, (short) 1),
                  new NewTopic("beta", 3, (short) 1)))
          .all()
          .get();
      double pagesBefore = requests(metricsPort, PAGES);

      Map<String, TopicDescription> described =
          admin.describeTopics(List.of("gamma", "alpha", "beta")).allTopicNames().get();

      assertThat(described).containsOnlyKeys("alpha", "beta", "gamma");
      for (var e : Map.of("alpha", 12, "beta", 3, "gamma", 12).entrySet()) {
        TopicDescription d = described.get(e.getKey());
        assertThat(d.isInternal()).isFalse();
        assertThat(d.partitions())
            .extracting(TopicPartitionInfo::partition)
            .containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, e.getValue()).boxed().toList());
        for (TopicPartitionInfo p : d.partitions()) {
          assertThat(p.leader().id()).isEqualTo(0);
          assertThat(p.replicas()).extracting(n -> n.id()).containsExactly(0);
          assertThat(p.isr()).extracting(n -> n.id()).containsExactly(0);
          assertThat(p.elr()).isEmpty();
          assertThat(p.lastKnownElr()).isEmpty();
        }
      }
      // alpha 0-4, 5-9, 10-11 + beta 0-2 (ends exactly: next page starts at gamma 0), gamma
      // 0-4, 5-9, 10-11.
      assertThat(requests(metricsPort, PAGES) - pagesBefore).isEqualTo(6.0);
    }
  }

  private static double requests(int port, String series) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).isEqualTo(200);
    for (String line : response.body().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1));
      }
    }
    return 0.0;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
