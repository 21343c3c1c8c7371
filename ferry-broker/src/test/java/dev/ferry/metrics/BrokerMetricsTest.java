package dev.ferry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.TestBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's /metrics endpoint, scraped over HTTP before and after real client traffic. */
class BrokerMetricsTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @TempDir Path dir;

  @Test
  void seriesMoveWithTraffic() throws Exception {
    int metricsPort = freePort();
    try (TestBroker broker =
        TestBroker.start(dir, Map.of("metrics.port", Integer.toString(metricsPort)))) {
      assertThat(broker.broker().metricsPort()).isEqualTo(metricsPort);
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("metered", 2, (short) 1))).all().get();
      }
      Map<String, Double> before = scrape(metricsPort);
      // Pre-registered: the Produce series exist (at 0) before any produce request.
      assertThat(before).containsEntry("ferry_requests_total{api=\"Produce\"}", 0.0);
      assertThat(before).containsEntry("ferry_partitions", 2.0);
      assertThat(before).containsEntry("ferry_under_replicated_partitions", 0.0);
      assertThat(before).containsKey("jvm_memory_used_bytes{area=\"heap\"}");
      assertThat(before.keySet()).anyMatch(k -> k.startsWith("jvm_gc_collection_seconds_count"));

      int sends = 5;
      byte[] value = new byte[100];
      try (KafkaProducer<byte[], byte[]> producer =
          broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
        for (int i = 0; i < sends; i++) {
          // Waiting for each send makes each record its own Produce request.
          producer.send(new ProducerRecord<>("metered", 1, null, value)).get();
        }
        Map<String, Double> during = scrape(metricsPort);
        assertThat(during.get("ferry_network_connections")).isGreaterThanOrEqualTo(1.0);
      }
      Map<String, Double> after = scrape(metricsPort);

      assertThat(delta(before, after, "ferry_requests_total{api=\"Produce\"}"))
          .isEqualTo((double) sends);
      assertThat(delta(before, after, "ferry_request_latency_seconds_count{api=\"Produce\"}"))
          .isEqualTo((double) sends);
      assertThat(after.get("ferry_request_latency_seconds_bucket{api=\"Produce\",le=\"+Inf\"}"))
          .isEqualTo((double) sends);
      assertThat(delta(before, after, "ferry_requests_total{api=\"Metadata\"}")).isPositive();
      assertThat(after.get("ferry_partition_log_end_offset{partition=\"1\",topic=\"metered\"}"))
          .isEqualTo((double) sends);
      assertThat(after.get("ferry_partition_log_end_offset{partition=\"0\",topic=\"metered\"}"))
          .isEqualTo(0.0);
      assertThat(after.get("ferry_partition_high_watermark{partition=\"1\",topic=\"metered\"}"))
          .as("one replica: everything appended is committed")
          .isEqualTo((double) sends);
      // Each send is one batch: 61 bytes of batch header plus the record.
      double bytesIn = after.get("ferry_topic_bytes_in_total{topic=\"metered\"}");
      assertThat(bytesIn).isGreaterThan(sends * 100.0).isLessThan(sends * 200.0);
      assertThat(after.get("ferry_partition_log_size_bytes{partition=\"1\",topic=\"metered\"}"))
          .isEqualTo(bytesIn);
      assertThat(delta(before, after, "ferry_network_received_bytes_total")).isGreaterThan(bytesIn);
      assertThat(delta(before, after, "ferry_network_sent_bytes_total")).isPositive();
      assertThat(delta(before, after, "ferry_network_connections_opened_total"))
          .isGreaterThanOrEqualTo(1.0);
      assertDashboardSeriesExist(after);

      // A consumer reading the partition once: exactly its batches' bytes go out, by topic.
      assertThat(after).doesNotContainKey("ferry_topic_bytes_out_total{topic=\"metered\"}");
      try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
        TopicPartition metered = new TopicPartition("metered", 1);
        consumer.assign(List.of(metered));
        consumer.seekToBeginning(List.of(metered));
        int read = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (read < sends && System.nanoTime() < deadline) {
          read += consumer.poll(Duration.ofMillis(200)).count();
        }
        assertThat(read).isEqualTo(sends);
      }
      assertThat(scrape(metricsPort).get("ferry_topic_bytes_out_total{topic=\"metered\"}"))
          .isEqualTo(bytesIn);
    }
  }

  /** Every ferry_* and jvm_* series the sample Grafana dashboard queries is really served. */
  private static void assertDashboardSeriesExist(Map<String, Double> scraped) throws IOException {
    Path dashboard = Path.of("..", "docs", "grafana-dashboard.json");
    assertThat(dashboard).exists();
    Matcher m = Pattern.compile("\\b((?:ferry|jvm)_[a-z_]+)").matcher(Files.readString(dashboard));
    Set<String> names = new TreeSet<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).contains("ferry_requests_total", "jvm_memory_used_bytes");
    for (String name : names) {
      assertThat(scraped.keySet())
          .as("dashboard series %s", name)
          .anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
    }
  }

  @Test
  void offByDefault(@TempDir Path other) {
    try (TestBroker broker = TestBroker.start(other, Map.of())) {
      assertThat(broker.broker().metricsPort()).isEqualTo(-1);
    }
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
    assertThat(after).containsKey(key);
    return after.get(key) - before.getOrDefault(key, 0.0);
  }

  /** Parses the text format into "name{labels}" → value (labels as the server wrote them). */
  static Map<String, Double> scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).isEqualTo(200);
    Map<String, Double> samples = new HashMap<>();
    for (String line : response.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
