package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.telemetry.PrometheusTelemetryReceiver;
import dev.ferry.telemetry.PrometheusTelemetryReceiver.ClientSeries;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client metrics (KIP-714) end to end: {@code kafka-client-metrics.sh} (Kafka's {@code
 * ClientMetricsCommand}) creates, describes, lists and deletes a subscription on Ferry, and the
 * real Java producer and consumer, which push telemetry by default ({@code
 * enable.metrics.push=true}), push exactly the metrics of the subscription they match, at its
 * interval; the broker decodes them into its Prometheus series.
 */
class ClientMetricsToolTest {

  private static final String TOOL = "org.apache.kafka.tools.ClientMetricsCommand";
  private static final String PREFIX = "org.apache.kafka.producer.";

  @TempDir Path dir;

  @Test
  void subscriptionThroughTheToolAndPushesFromTheProducer() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 1, Map.of())) {
      String bootstrap = cluster.bootstrap();
      assertThat(
              tool(
                  bootstrap,
                  "--alter",
                  "--name",
                  "producers",
                  "--metrics",
                  PREFIX,
                  "--interval",
                  "1000",
                  "--match",
                  "client_id=telemetry-.*,client_software_name=apache-kafka-java"))
          .isEqualTo("Altered client metrics config for producers.\n");
      // In the order the admin client's Config (a hash map by name) gives them, as against Kafka.
      assertThat(tool(bootstrap, "--describe", "--name", "producers"))
          .isEqualTo(
              "Client metrics configs for producers are:\n"
                  + "  interval.ms=1000\n"
                  + "  match=client_id=telemetry-.*,client_software_name=apache-kafka-java\n"
                  + "  metrics=org.apache.kafka.producer.\n");
      assertThat(tool(bootstrap, "--list")).isEqualTo("producers\n");
      assertThat(tool(bootstrap, "--describe", "--name", "nobody"))
          .isEqualTo(
              "The client metric resource nobody doesn't exist and doesn't have dynamic config.\n");

      // A second subscription, for consumers, through the admin client.
      try (Admin admin = cluster.admin()) {
        ConfigResource consumers =
            new ConfigResource(ConfigResource.Type.CLIENT_METRICS, "consumers");
        admin
            .incrementalAlterConfigs(
                Map.of(
                    consumers,
                    List.of(
                        new AlterConfigOp(
                            new ConfigEntry("metrics", "org.apache.kafka.consumer."),
                            AlterConfigOp.OpType.SET),
                        new AlterConfigOp(
                            new ConfigEntry("interval.ms", "1000"), AlterConfigOp.OpType.SET),
                        new AlterConfigOp(
                            new ConfigEntry("match", "client_id=telemetry-consumer"),
                            AlterConfigOp.OpType.SET))))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      assertThat(tool(bootstrap, "--list")).isEqualTo("consumers\nproducers\n");

      PrometheusTelemetryReceiver received = cluster.broker(0).clientTelemetry();
      // Every broker watches the subscriptions: wait until this one has both.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cluster.broker(0).clientMetrics().subscriptions().size() == 2);
      try (KafkaConsumer<byte[], byte[]> consumer =
              cluster.consumer(
                  Map.of(
                      ConsumerConfig.CLIENT_ID_CONFIG, "telemetry-consumer",
                      ConsumerConfig.GROUP_ID_CONFIG, "telemetry-group"));
          KafkaProducer<byte[], byte[]> producer =
              cluster.producer(Map.of(ProducerConfig.CLIENT_ID_CONFIG, "telemetry-app"));
          KafkaProducer<byte[], byte[]> unmatched =
              cluster.producer(Map.of(ProducerConfig.CLIENT_ID_CONFIG, "other-app"))) {
        for (int i = 0; i < 20; i++) {
          producer.send(new ProducerRecord<>("telemetry-topic", new byte[] {(byte) i})).get();
          unmatched.send(new ProducerRecord<>("telemetry-topic", new byte[] {(byte) i})).get();
        }
        ClientSeries series =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> client(received, "telemetry-app"),
                    s -> s.isPresent() && s.get().recentPushesMs().size() >= 3)
                .orElseThrow();

        // The subscribed metrics, and only those.
        List<String> names = series.lastPushNames();
        assertThat(names)
            .isNotEmpty()
            .allMatch(n -> n.startsWith(PREFIX))
            .contains("org.apache.kafka.producer.record.queue.time.max");
        assertThat(series.values())
            .containsKey("org.apache.kafka.producer.node.request.latency.avg");
        // Pushed at the subscription's interval (1 s; the default would be 5 minutes).
        List<Long> times = series.recentPushesMs();
        for (int i = 1; i < times.size(); i++) {
          assertThat(times.get(i) - times.get(i - 1)).isBetween(500L, 3_000L);
        }
        // The other client matches no subscription: it asks, but never pushes.
        assertThat(client(received, "other-app")).isEmpty();

        // The consumer pushes its own subscription's metrics.
        consumer.subscribe(List.of("telemetry-topic"));
        ClientSeries consumed =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> {
                      consumer.poll(Duration.ofMillis(100));
                      return client(received, "telemetry-consumer");
                    },
                    c -> c.isPresent() && !c.get().lastPushNames().isEmpty())
                .orElseThrow();
        assertThat(consumed.lastPushNames())
            .allMatch(n -> n.startsWith("org.apache.kafka.consumer."))
            .contains("org.apache.kafka.consumer.poll.idle.ratio.avg");

        // The series on the Prometheus endpoint: one per pushed metric of the instance.
        PrometheusRegistry registry = new PrometheusRegistry();
        received.register(registry);
        assertThat(gaugeNames(registry, "ferry_client_metric", "telemetry-app"))
            .containsAll(series.values().keySet());
      }

      assertThat(tool(bootstrap, "--delete", "--name", "producers"))
          .isEqualTo("Deleted client metrics config for producers.\n");
      assertThat(tool(bootstrap, "--list")).isEqualTo("consumers\n");
    }
  }

  @Test
  void everyBrokerWatchesTheSubscriptions() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 2, Map.of())) {
      // Written through broker 1 only; broker 0 hears of it from ZooKeeper.
      String broker1 = cluster.broker(1).bootstrapServers();
      tool(broker1, "--alter", "--name", "all", "--metrics", "*", "--interval", "60000");
      for (int id : List.of(0, 1)) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    Optional.ofNullable(
                            cluster.broker(id).clientMetrics().subscriptions().get("all"))
                        .map(s -> s.metrics().equals(List.of("*")) && s.intervalMs() == 60000)
                        .orElse(false));
      }
      String broker0 = cluster.broker(0).bootstrapServers();
      assertThat(tool(broker0, "--list")).isEqualTo("all\n");
      tool(broker0, "--delete", "--name", "all");
      for (int id : List.of(0, 1)) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> cluster.broker(id).clientMetrics().subscriptions().isEmpty());
      }
    }
  }

  private static String tool(String bootstrap, String... args) throws Exception {
    String[] all = new String[args.length + 2];
    all[0] = "--bootstrap-server";
    all[1] = bootstrap;
    System.arraycopy(args, 0, all, 2, args.length);
    return KafkaTool.exiting(TOOL, all);
  }

  private static Optional<ClientSeries> client(PrometheusTelemetryReceiver r, String clientId) {
    return r.clients().values().stream()
        .filter(s -> clientId.equals(s.client().clientId()))
        .findFirst();
  }

  private static List<String> gaugeNames(
      PrometheusRegistry registry, String metric, String clientId) {
    List<String> out = new ArrayList<>();
    for (MetricSnapshot m : registry.scrape()) {
      if (m.getMetadata().getPrometheusName().equals(metric)) {
        for (GaugeSnapshot.GaugeDataPointSnapshot p : ((GaugeSnapshot) m).getDataPoints()) {
          if (clientId.equals(p.getLabels().get("client_id"))) {
            out.add(p.getLabels().get("name"));
          }
        }
      }
    }
    return out;
  }
}
