package dev.ferry.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.it.TestBroker;
import dev.ferry.registry.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

/**
 * The console in a real browser (headless Chromium through Selenium) against one broker with data:
 * every page loads with no JavaScript error logged, the topic list, the message browser (JSON,
 * hostile text, an Avro value through the broker's schema registry), a group's exact lag, and
 * changes made in the console (a topic created, a config set, offsets reset) checked with the Java
 * Admin client. One broker and one browser serve the whole class.
 *
 * <p>Tagged slow: one broker with the schema registry and one Chromium for the whole class take
 * about 20 s on an idle machine (start-up, and two 3 s chart samples), more under load.
 *
 * <p>With {@code -Dferry.console.screenshots=<dir>} the main pages are also saved as PNGs (how
 * docs/console.md's pictures are made).
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebConsoleBrowserTest {

  private static final String XSS =
      "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";
  private static final String AVRO_SCHEMA =
      "{\"type\":\"record\",\"name\":\"Payment\",\"fields\":["
          + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"cents\",\"type\":\"long\"}]}";

  private TestBroker broker;
  private Browser browser;
  private Admin admin;
  private String consoleUrl;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(
        Browser.available(),
        "needs /usr/bin/chromium and /usr/bin/chromedriver (.ci/run installs them)");
    Map<String, String> settings = new HashMap<>();
    settings.put("console.port", "0");
    settings.put("schema.registry.port", Integer.toString(freePort()));
    settings.put("schema.registry.topic.replication.factor", "1");
    broker = TestBroker.start(dir, settings);
    consoleUrl = broker.broker().extension(WebConsole.class).orElseThrow().url();
    admin = broker.admin();
    seed();
    browser = new Browser(consoleUrl);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * orders: 3 partitions; partition 0 holds ten JSON records, partition 1 a record with markup in
   * its value, key and header. Group billing committed offset 4 on partition 0 and the end of
   * partition 1, so its lag is exactly 6. payments: one Avro record in the registry's wire format.
   */
  private void seed() throws Exception {
    admin
        .createTopics(
            List.of(new NewTopic("orders", 3, (short) 1), new NewTopic("payments", 1, (short) 1)))
        .all()
        .get();
    try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
      for (int i = 0; i < 10; i++) {
        producer.send(
            new ProducerRecord<>(
                "orders",
                0,
                bytes("order-" + i),
                bytes("{\"id\":" + i + ",\"item\":\"widget-" + i + "\"}")));
      }
      ProducerRecord<byte[], byte[]> hostile =
          new ProducerRecord<>("orders", 1, bytes(XSS), bytes(XSS));
      hostile.headers().add(new RecordHeader("trace", bytes(XSS)));
      producer.send(hostile);
      producer.send(new ProducerRecord<>("payments", 0, null, avroPayment(registerAvro())));
      producer.flush();
    }
    try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("group.id", "billing"))) {
      consumer.commitSync(
          Map.of(
              new TopicPartition("orders", 0), new OffsetAndMetadata(4),
              new TopicPartition("orders", 1), new OffsetAndMetadata(1)));
    }
    try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("group.id", "rewind"))) {
      consumer.commitSync(Map.of(new TopicPartition("orders", 0), new OffsetAndMetadata(2)));
    }
  }

  @Test
  void everyPageLoadsWithoutJavaScriptErrors() throws Exception {
    String shots = System.getProperty("ferry.console.screenshots");
    String[][] pages = {
      {"cluster", "cluster"},
      {"topics", "topics"},
      {"topic/orders", "topic"},
      {"messages/orders", "messages"},
      {"groups", "groups"},
      {"group/billing", "group"},
      {"metrics", "metrics"},
    };
    for (String[] p : pages) {
      Thread traffic = shots != null && p[1].equals("metrics") ? traffic() : null;
      browser.open(p[0], p[1]);
      assertThat(browser.findAll("#view .error")).as("error box on %s", p[0]).isEmpty();
      if (p[1].equals("metrics")) {
        // The charts need two samples (3 s apart) for a rate; a picture wants a few more.
        browser.awaitText(
            "#metrics-note", "Sampled every 3 s; " + (traffic == null ? 2 : 6) + " sample(s).");
      }
      if (traffic != null) {
        traffic.interrupt();
        traffic.join(10_000);
      }
      assertThat(browser.severeLogEntries()).as("browser log on %s", p[0]).isEmpty();
      if (shots != null) {
        browser.screenshot(Path.of(shots, p[1] + ".png"));
      }
    }
    browser.open("cluster", "cluster");
    assertThat(browser.find("#broker-count").getText()).isEqualTo("1");
    assertThat(browser.find("#offline-count").getText()).isEqualTo("0");
    // The check above would see an error: an uncaught one is in the log.
    browser.run("setTimeout(() => { throw new Error('probe-error'); }, 0);");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> browser.severeLogEntries().stream().anyMatch(e -> e.contains("probe-error")));
  }

  @Test
  void topicListShowsTopicsWithTheirPartitionCounts() {
    browser.open("topics", "topics");
    assertThat(row("#topics", "orders").get(1).getText()).isEqualTo("3");
    assertThat(row("#topics", "payments").get(1).getText()).isEqualTo("1");
  }

  @Test
  void messageBrowserShowsProducedValuesAsText() {
    browser.open("messages/orders", "messages");
    browser.awaitText("#message-count", "11 record(s)");
    String table = browser.find("#message-table").getText();
    for (int i = 0; i < 10; i++) {
      assertThat(table).contains("\"item\" : \"widget-" + i + "\"");
    }
    // Markup in a value, key and header is shown as text and never becomes elements.
    assertThat(table).contains(XSS);
    assertThat(browser.findAll("#message-table img, #message-table script")).isEmpty();
    assertThat(browser.severeLogEntries()).isEmpty();
  }

  @Test
  void messageBrowserDecodesAvroThroughTheRegistry() {
    browser.open("messages/payments", "messages");
    browser.awaitText("#message-count", "1 record(s)");
    String table = browser.find("#message-table").getText();
    assertThat(table)
        .contains("avro · schema 1")
        .contains("\"id\" : \"p-17\"")
        .contains("\"cents\" : 1250");
  }

  @Test
  void groupPageShowsTheArrangedLag() {
    browser.open("group/billing", "group");
    assertThat(browser.find("#total-lag").getText()).isEqualTo("6");
    assertThat(browser.find("#group-state").getText()).isEqualTo("Empty");
    List<WebElement> p0 = row("#offsets", "orders");
    assertThat(p0.get(1).getText()).isEqualTo("0");
    assertThat(p0.get(2).getText()).isEqualTo("4");
    assertThat(p0.get(3).getText()).isEqualTo("10");
    assertThat(p0.get(4).getText()).isEqualTo("6");
    browser.open("groups", "groups");
    assertThat(row("#groups", "billing").get(3).getText()).isEqualTo("Empty");
  }

  @Test
  void topicCreatedInTheConsoleExistsForTheAdminClient() throws Exception {
    browser.open("topics", "topics");
    browser.find("#new-topic-name").sendKeys("made-in-console");
    WebElement partitions = browser.find("#new-topic-partitions");
    partitions.clear();
    partitions.sendKeys("4");
    browser.find("#create-topic-submit").click();
    browser.awaitPage("topic");
    browser.awaitText("#topic-name", "made-in-console");
    assertThat(browser.find("#topic-partitions").getText()).isEqualTo("4");
    TopicDescription d =
        admin
            .describeTopics(List.of("made-in-console"))
            .allTopicNames()
            .get()
            .get("made-in-console");
    assertThat(d.partitions()).hasSize(4);

    // A config set in the console is the topic's config for Kafka clients.
    browser.find("#config-name").sendKeys("retention.ms");
    browser.find("#config-value").sendKeys("3600000");
    browser.find("#edit-config button").click();
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "made-in-console");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                "3600000"
                    .equals(
                        admin
                            .describeConfigs(List.of(r))
                            .all()
                            .get()
                            .get(r)
                            .get("retention.ms")
                            .value()));
    assertThat(browser.severeLogEntries()).isEmpty();
  }

  @Test
  void partitionsAddedAndTopicDeletedInTheConsoleReachTheBroker() throws Exception {
    admin.createTopics(List.of(new NewTopic("to-change", 2, (short) 1))).all().get();
    browser.open("topic/to-change", "topic");
    WebElement count = browser.find("#partition-count");
    count.clear();
    count.sendKeys("5");
    browser.find("#add-partitions button").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                admin
                        .describeTopics(List.of("to-change"))
                        .allTopicNames()
                        .get()
                        .get("to-change")
                        .partitions()
                        .size()
                    == 5);

    browser.open("topic/to-change", "topic"); // a fresh page: nothing of the last action pending
    browser.find("#delete-topic button").click();
    browser.awaitText("#view .error", "Type the topic name to confirm");
    assertThat(admin.listTopics().names().get()).contains("to-change");
    browser.find("#delete-confirm").sendKeys("to-change");
    browser.find("#delete-topic button").click();
    browser.awaitPage("topics");
    assertThat(admin.listTopics().names().get()).doesNotContain("to-change");
    assertThat(browser.severeLogEntries()).isEmpty();
  }

  @Test
  void resettingAnEmptyGroupMovesItsOffsets() throws Exception {
    browser.open("group/rewind", "group");
    assertThat(browser.find("#total-lag").getText()).isEqualTo("8");
    new org.openqa.selenium.support.ui.Select(browser.find("#reset-to")).selectByValue("latest");
    browser.find("#reset-offsets button").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                admin
                        .listConsumerGroupOffsets("rewind")
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .get(new TopicPartition("orders", 0))
                        .offset()
                    == 10);
    browser.awaitText("#total-lag", "0");
  }

  @Test
  void changesWithoutTheConsoleHeaderAreRefused() throws Exception {
    HttpResponse<String> forged =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(consoleUrl + "api/topics"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"forged\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(admin.listTopics().names().get()).doesNotContain("forged");
  }

  /** Only for the screenshots: records produced and consumed while the charts draw them. */
  private Thread traffic() throws Exception {
    admin
        .createTopics(
            List.of(new NewTopic("clicks", 2, (short) 1), new NewTopic("views", 1, (short) 1)))
        .all()
        .get();
    Thread t =
        new Thread(
            () -> {
              try (KafkaProducer<byte[], byte[]> producer = broker.producer();
                  KafkaConsumer<byte[], byte[]> consumer =
                      broker.consumer(Map.of("group.id", "live", "enable.auto.commit", true))) {
                consumer.subscribe(List.of("clicks"));
                for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                  for (int j = 0; j < 20; j++) {
                    producer.send(new ProducerRecord<>("clicks", bytes("{\"n\":" + i + "}")));
                    producer.send(new ProducerRecord<>("views", bytes("x".repeat(100 + i % 50))));
                  }
                  consumer.poll(Duration.ofMillis(50));
                }
              } catch (org.apache.kafka.common.errors.InterruptException e) {
                // asked to stop
              }
            },
            "console-screenshot-traffic");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The cells of the first row of {@code table} whose first cell is {@code first}. */
  private List<WebElement> row(String table, String first) {
    for (WebElement tr : browser.findAll(table + " tbody tr")) {
      List<WebElement> cells = tr.findElements(org.openqa.selenium.By.tagName("td"));
      if (!cells.isEmpty() && cells.get(0).getText().equals(first)) {
        return cells;
      }
    }
    throw new AssertionError("No row " + first + " in " + table);
  }

  private int registerAvro() throws Exception {
    SchemaRegistry registry =
        broker
            .broker()
            .extension(SchemaRegistry.class)
            .orElseThrow()
            .awaitReady(Duration.ofSeconds(30));
    String body =
        "{\"schema\":"
            + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(AVRO_SCHEMA)
            + "}";
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(registry.url() + "/subjects/payments-value/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo("{\"id\":1}");
    return 1;
  }

  private static byte[] avroPayment(int schemaId) throws Exception {
    Schema schema = new Schema.Parser().parse(AVRO_SCHEMA);
    GenericRecord payment = new GenericData.Record(schema);
    payment.put("id", "p-17");
    payment.put("cents", 1250L);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(payment, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
