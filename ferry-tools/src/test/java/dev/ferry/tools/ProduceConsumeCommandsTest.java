package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.it.TestBroker;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry produce} and {@code ferry consume} (without a group) against a real broker. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProduceConsumeCommandsTest {

  @TempDir static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start(dir);
    try (Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("lines", 1, (short) 1),
                  new NewTopic("spread", 2, (short) 1),
                  new NewTopic("timed", 1, (short) 1)))
          .all()
          .get();
    }
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void producesKeyedLinesWithHeadersAndConsumesThemAsJson() throws Exception {
    Path input = dir.resolve("input.txt");
    Files.writeString(input, "k1:v1\nk2:hello: world\nk1:v3\n");
    Cli.Result produced =
        Cli.on(
            broker.bootstrap(),
            "produce",
            "--topic",
            "lines",
            "--file",
            input.toString(),
            "--key-separator",
            ":",
            "--header",
            "source=test",
            "--header",
            "n=1",
            "--compression",
            "lz4",
            "--acks",
            "1");
    assertThat(produced.exitCode()).as(produced.err()).isZero();
    assertThat(produced.out()).isEqualTo("Produced 3 record(s) to lines.\n");

    Cli.Result consumed =
        Cli.on(
            broker.bootstrap(),
            "consume",
            "--topic",
            "lines",
            "--from-beginning",
            "--format",
            "json",
            "--max-messages",
            "3",
            "--timeout-ms",
            "10000");
    assertThat(consumed.exitCode()).as(consumed.err()).isZero();
    assertThat(consumed.err()).isEqualTo("Consumed 3 record(s).\n");
    List<JsonNode> records = consumed.jsonLines();
    assertThat(records).hasSize(3);
    assertThat(records.stream().map(r -> r.get("key").asText() + "=" + r.get("value").asText()))
        .containsExactly("k1=v1", "k2=hello: world", "k1=v3");
    for (int i = 0; i < 3; i++) {
      JsonNode r = records.get(i);
      assertThat(r.get("topic").asText()).isEqualTo("lines");
      assertThat(r.get("partition").asInt()).isZero();
      assertThat(r.get("offset").asLong()).isEqualTo(i);
      assertThat(r.get("timestamp").asLong())
          .isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());
      assertThat(r.get("headers").toString())
          .isEqualTo("[{\"key\":\"source\",\"value\":\"test\"},{\"key\":\"n\",\"value\":\"1\"}]");
    }

    Cli.Result kv =
        Cli.on(
            broker.bootstrap(),
            "consume",
            "-t",
            "lines",
            "--partition",
            "0",
            "--offset",
            "1",
            "--format",
            "kv",
            "--key-separator",
            "|",
            "--max-messages",
            "2");
    assertThat(kv.exitCode()).as(kv.err()).isZero();
    assertThat(kv.out()).isEqualTo("k2|hello: world\nk1|v3\n");
  }

  @Test
  void producesFromStdinAndStopsAfterIdleTimeout() throws Exception {
    InputStream stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream("a\nb\n".getBytes(StandardCharsets.UTF_8)));
      Cli.Result produced =
          Cli.on(broker.bootstrap(), "produce", "-t", "spread", "--partition", "1", "-o", "json");
      assertThat(produced.exitCode()).as(produced.err()).isZero();
      assertThat(produced.json().get("records").asInt()).isEqualTo(2);
    } finally {
      System.setIn(stdin);
    }
    long t0 = System.nanoTime();
    Cli.Result consumed =
        Cli.on(
            broker.bootstrap(),
            "consume",
            "-t",
            "spread",
            "--from-beginning",
            "--timeout-ms",
            "1500");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(consumed.exitCode()).as(consumed.err()).isZero();
    assertThat(consumed.out()).isEqualTo("a\nb\n");
    assertThat(consumed.err()).isEqualTo("Consumed 2 record(s).\n");
    assertThat(ms).isGreaterThanOrEqualTo(1500).isLessThan(10_000);
  }

  @Test
  void consumesFromTimestamp() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
      for (long ts : new long[] {1_000L, 2_000L, 3_000L}) {
        producer.send(new ProducerRecord<>("timed", 0, ts, null, ("at" + ts).getBytes())).get();
      }
    }
    Cli.Result fromMillis =
        Cli.on(
            broker.bootstrap(),
            "consume",
            "-t",
            "timed",
            "--from-timestamp",
            "2000",
            "--max-messages",
            "2",
            "--format",
            "json");
    assertThat(fromMillis.exitCode()).as(fromMillis.err()).isZero();
    assertThat(fromMillis.jsonLines().stream().map(r -> r.get("offset").asLong()))
        .containsExactly(1L, 2L);
    Cli.Result fromIso =
        Cli.on(
            broker.bootstrap(),
            "consume",
            "-t",
            "timed",
            "--from-timestamp",
            "1970-01-01T00:00:02.500Z",
            "--max-messages",
            "1");
    assertThat(fromIso.out()).isEqualTo("at3000\n");
  }

  @Test
  void errorsAreOneLine() {
    Cli.Result unknown =
        Cli.on(broker.bootstrap(), "consume", "-t", "missing", "--timeout-ms", "500");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("ferry: error: topic 'missing' does not exist\n");

    Cli.Result noPartition = Cli.on(broker.bootstrap(), "consume", "-t", "lines", "--offset", "3");
    assertThat(noPartition.exitCode()).isEqualTo(2);
    assertThat(noPartition.err())
        .isEqualTo("ferry: error: --offset needs --partition (see 'ferry consume --help')\n");

    Cli.Result badPartition =
        Cli.on(broker.bootstrap(), "consume", "-t", "spread", "-p", "7", "--timeout-ms", "500");
    assertThat(badPartition.exitCode()).isEqualTo(1);
    assertThat(badPartition.err())
        .isEqualTo("ferry: error: topic 'spread' has no partition 7 (it has 2)\n");

    Cli.Result badFormat = Cli.on(broker.bootstrap(), "consume", "-t", "lines", "--format", "xml");
    assertThat(badFormat.exitCode()).isEqualTo(2);
    assertThat(badFormat.err().lines()).hasSize(1);

    Cli.Result badCodec =
        Cli.on(broker.bootstrap(), "produce", "-t", "lines", "--compression", "brotli");
    assertThat(badCodec.exitCode()).isEqualTo(2);
    assertThat(badCodec.err()).contains("brotli").contains("gzip, snappy, lz4, zstd");
  }
}
