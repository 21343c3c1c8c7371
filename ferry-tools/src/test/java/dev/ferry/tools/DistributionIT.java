package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive that {@code mvn package} builds: unpacked into a temp directory, its
 * {@code bin/ferry start} runs a broker in a separate JVM that serves a real client and its metrics
 * endpoint, {@code bin/ferry topic describe} works from the same layout, and SIGTERM stops the
 * broker. Runs in the integration-test phase (after package).
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DistributionIT {

  @TempDir Path dir;

  @Test
  void unpackedArchiveStartsServesAndStops() throws Exception {
    Path archive = Path.of(System.getProperty("ferry.dist.archive", "target/missing.tar.gz"));
    assertThat(archive).as("run mvn package first").exists();
    run(List.of("tar", "-xzf", archive.toString(), "-C", dir.toString()), dir);
    Path home;
    try (var entries = Files.list(dir)) {
      home = entries.filter(p -> p.getFileName().toString().startsWith("ferry-")).findFirst().get();
    }
    assertThat(home.resolve("bin/ferry")).isExecutable();
    assertThat(home.resolve("config/ferry.properties")).isRegularFile();
    assertThat(home.resolve("config/ferry.service")).isRegularFile();
    assertThat(home.resolve("config/jvm.options")).content().contains("-XX:MaxNewSize=");
    assertThat(home.resolve("LICENSE")).content().contains("Apache License");
    assertThat(home.resolve("README.md")).isRegularFile();
    try (var jars = Files.list(home.resolve("lib"))) {
      assertThat(jars.map(p -> p.getFileName().toString()).toList())
          .anyMatch(n -> n.startsWith("ferry-tools-"))
          .anyMatch(n -> n.startsWith("ferry-broker-"))
          .anyMatch(n -> n.startsWith("kafka-clients-"));
    }

    int port = freePort();
    int metricsPort = freePort();
    ProcessBuilder pb =
        new ProcessBuilder(
                home.resolve("bin/ferry").toString(),
                "start",
                "--config",
                home.resolve("config/ferry.properties").toString(),
                "--override",
                "listeners=PLAINTEXT://127.0.0.1:" + port,
                "--override",
                "log.dirs=" + dir.resolve("data"),
                "--override",
                "metrics.port=" + metricsPort,
                "--override",
                "num.network.threads=1")
            .directory(dir.toFile())
            .redirectErrorStream(true);
    pb.environment().put("FERRY_HEAP_OPTS", "-Xmx256m");
    Process broker = pb.start();
    List<String> output = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> listening = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  output.add(line);
                  if (line.contains("listening on 127.0.0.1:" + port)) {
                    listening.complete(null);
                  }
                }
              } catch (IOException ignored) {
                // the process is gone
              }
            },
            "dist-broker-output");
    reader.setDaemon(true);
    reader.start();
    try {
      listening.get(90, TimeUnit.SECONDS);
      String bootstrap = "127.0.0.1:" + port;

      RecordMetadata sent;
      try (KafkaProducer<String, String> producer = producer(bootstrap)) {
        sent = producer.send(new ProducerRecord<>("dist", "k", "hello from the archive")).get();
      }
      assertThat(sent.offset()).isZero();
      try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
        TopicPartition tp = new TopicPartition("dist", 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (got.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(got::add);
        }
        assertThat(got).hasSize(1);
        assertThat(got.get(0).key()).isEqualTo("k");
        assertThat(got.get(0).value()).isEqualTo("hello from the archive");
      }

      // The CLI from the same layout, as its own process.
      String describe =
          run(
              List.of(
                  home.resolve("bin/ferry").toString(),
                  "topic",
                  "describe",
                  "dist",
                  "--bootstrap-server",
                  bootstrap),
              dir);
      assertThat(describe).contains("PARTITION  LEADER  REPLICAS  ISR");
      assertThat(describe.lines().filter(l -> l.startsWith("0 ")).findFirst().orElseThrow())
          .matches("0\\s+0\\s+0\\s+0\\s+0\\s+1");

      String metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics).contains("ferry_requests_total{api=\"Produce\"} 1");
    } finally {
      // SIGTERM through the handle: Process.destroy() would also close our end of its output.
      broker.toHandle().destroy();
      boolean exited = broker.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      assertThat(exited)
          .as("broker stops on SIGTERM; output:%n%s", String.join("\n", output))
          .isTrue();
    }
    reader.join(10_000);
    assertThat(output).anyMatch(l -> l.contains("Log manager closed"));
  }

  private static String run(List<String> command, Path cwd) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
    return out;
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    return new KafkaProducer<>(p);
  }

  private static KafkaConsumer<String, String> consumer(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return new KafkaConsumer<>(p);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
