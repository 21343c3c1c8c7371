package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.TestBroker;
import dev.ferry.registry.SchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry schema register|list|get|check} against the broker's built-in registry, and {@code
 * ferry consume --output json}; exact output.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SchemaCommandsTest {

  static final String V1 =
      "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
  static final String BAD =
      "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
          + "{\"name\":\"n\",\"type\":\"int\"}]}";

  @TempDir static Path dir;
  static TestBroker broker;
  static String url;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(dir, Map.of("schema.registry.port", "0"));
    url =
        broker
            .broker()
            .extension(SchemaRegistry.class)
            .orElseThrow()
            .awaitReady(Duration.ofSeconds(60))
            .url();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  static Cli.Result schema(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "schema";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--registry-url";
    all[args.length + 2] = url;
    return Cli.run(all);
  }

  @Test
  void registerListGetAndCheck() {
    Cli.Result reg = schema("register", "-s", "orders-value", "--schema", V1);
    assertThat(reg.exitCode()).as(reg.err()).isZero();
    assertThat(reg.out()).isEqualTo("Registered schema id 1 under subject orders-value.\n");
    assertThat(schema("register", "-s", "orders-value", "--schema", V1, "-o", "json").out())
        .isEqualTo("{\"subject\":\"orders-value\",\"id\":1}\n");
    String json = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}";
    assertThat(schema("register", "-s", "events-value", "--type", "json", "--schema", json).out())
        .isEqualTo("Registered schema id 2 under subject events-value.\n");

    assertThat(schema("list").out())
        .isEqualTo(
            "SUBJECT       VERSION  ID  TYPE\n"
                + "events-value  1        2   JSON\n"
                + "orders-value  1        1   AVRO\n");
    assertThat(schema("list", "--prefix", "ord", "-o", "json").json().toString())
        .isEqualTo(
            "[{\"subject\":\"orders-value\",\"version\":1,\"id\":1,\"schemaType\":\"AVRO\"}]");

    assertThat(schema("get", "-s", "orders-value").out()).isEqualTo(V1 + "\n");
    assertThat(schema("get", "--id", "2", "-o", "json").out())
        .isEqualTo(
            "{\"schema\":"
                + Cli.JSON.getNodeFactory().textNode(json)
                + ",\"schemaType\":\"JSON\"}\n");

    Cli.Result ok = schema("check", "-s", "orders-value", "--schema", V1);
    assertThat(ok.exitCode()).isZero();
    assertThat(ok.out()).isEqualTo("Compatible with orders-value.\n");
    Cli.Result bad = schema("check", "-s", "orders-value", "--schema", BAD);
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.out())
        .startsWith(
            "Incompatible with orders-value:\n  BACKWARD: {errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'");

    Cli.Result missing = schema("get", "-s", "nope");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err())
        .isEqualTo("ferry: error: Subject 'nope' not found. (error code 40401)\n");
    Cli.Result refused = schema("register", "-s", "orders-value", "--schema", BAD);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err())
        .startsWith("ferry: error: Schema being registered is incompatible")
        .endsWith("(error code 409)\n");
  }

  @Test
  void consumeOutputJsonPrintsOneObjectPerRecord() throws Exception {
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic("exact", 1, (short) 1))).all().get();
    }
    try (KafkaProducer<byte[], byte[]> p = broker.producer()) {
      ProducerRecord<byte[], byte[]> r1 =
          new ProducerRecord<>("exact", 0, 1_000L, "k1".getBytes(), "v1".getBytes());
      r1.headers().add(new RecordHeader("h", "x".getBytes()));
      p.send(r1).get();
      p.send(new ProducerRecord<>("exact", 0, 2_000L, null, "v2".getBytes())).get();
    }
    Cli.Result consumed =
        Cli.on(
            broker.bootstrap(),
            "consume",
            "-t",
            "exact",
            "--from-beginning",
            "--max-messages",
            "2",
            "--output",
            "json");
    assertThat(consumed.exitCode()).as(consumed.err()).isZero();
    assertThat(consumed.out())
        .isEqualTo(
            "{\"topic\":\"exact\",\"partition\":0,\"offset\":0,\"timestamp\":1000,\"key\":\"k1\","
                + "\"value\":\"v1\",\"headers\":[{\"key\":\"h\",\"value\":\"x\"}]}\n"
                + "{\"topic\":\"exact\",\"partition\":0,\"offset\":1,\"timestamp\":2000,\"key\":null,"
                + "\"value\":\"v2\",\"headers\":[]}\n");
    assertThat(consumed.err()).isEqualTo("{\"consumed\":2}\n");
  }
}
