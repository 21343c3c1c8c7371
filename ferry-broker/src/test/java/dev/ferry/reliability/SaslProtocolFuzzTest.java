package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.ferry.it.TestBroker;
import dev.ferry.security.SecureClusterConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol fuzzer against a SASL listener: mutated SaslHandshake and SaslAuthenticate bodies
 * (PLAIN and SCRAM messages with wrong credentials) mixed with mutated Metadata, Produce and Fetch
 * requests, none of them authenticated. The broker must stay up and serve a real client, the canary
 * must read back intact, and nothing a fuzzed connection sent may have run: the produce target
 * stays empty.
 */
class SaslProtocolFuzzTest {

  private static final int CANARY_RECORDS = 20;

  @TempDir Path dir;

  @Test
  void saslListenerSurvivesMutatedAuthenticationAndRunsNothingUnauthenticated() throws Exception {
    long seed = Long.getLong("ferry.fuzz.seed", System.nanoTime());
    long cases = Long.getLong("ferry.fuzz.sasl.cases", 10_000);
    System.out.println("SaslProtocolFuzzTest seed " + seed);
    Map<String, String> settings = new HashMap<>(SecureClusterConfig.brokerSettings());
    settings.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0");
    settings.put("auto.create.topics.enable", "false");
    settings.put("connection.failed.authentication.delay.ms", "0");
    try (TestBroker broker = TestBroker.start(dir, settings);
        LogEvents logs = new LogEvents("dev.ferry")) {
      String bootstrap = broker.bootstrap();
      Map<String, TopicDescription> topics;
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic("canary", 1, (short) 1),
                    new NewTopic("scratch", 1, (short) 1),
                    new NewTopic("health", 1, (short) 1)))
            .all()
            .get();
        topics = admin.describeTopics(List.of("canary", "scratch")).allTopicNames().get();
      }
      Canary canary = new Canary("canary", CANARY_RECORDS);
      canary.write(bootstrap);

      Map<ApiKeys, short[]> versions = new EnumMap<>(ApiKeys.class);
      versions.put(ApiKeys.METADATA, new short[] {12, 12});
      versions.put(ApiKeys.PRODUCE, new short[] {9, 9});
      versions.put(ApiKeys.FETCH, new short[] {12, 12});
      List<RequestTemplates.Template> templates =
          new ArrayList<>(
              RequestTemplates.build(
                  versions,
                  "scratch",
                  topics.get("scratch").topicId(),
                  "canary",
                  topics.get("canary").topicId()));
      for (String mechanism : List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI")) {
        templates.add(
            template(
                new SaslHandshakeRequest.Builder(
                        new SaslHandshakeRequestData().setMechanism(mechanism))
                    .build((short) 1)));
      }
      List<byte[]> authBodies =
          List.of(
              utf8("\0alice\0wrong-password"),
              utf8("admin\0alice\0alice-secret-not"),
              utf8("n,,n=nobody,r=fyko+d2lbbFgONRv9qkxdawL"),
              utf8(
                  "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="));
      for (byte[] auth : authBodies) {
        for (short v = 0; v <= 2; v++) {
          templates.add(
              template(
                  new SaslAuthenticateRequest.Builder(
                          new SaslAuthenticateRequestData().setAuthBytes(auth))
                      .build(v)));
        }
      }

      FuzzClient.Stats stats;
      try (FuzzClient client =
          new FuzzClient("127.0.0.1", broker.broker().port("SASL_PLAINTEXT"), 8, 2_000)) {
        client.run(new Mutator(seed, templates), cases, n -> {});
        stats = client.stats();
      }
      System.out.println("SASL fuzz: " + stats);

      assertThat(stats.processed).isGreaterThanOrEqualTo(cases);
      assertThat(stats.closedByBroker).isGreaterThan(cases / 10);
      Canary.roundTrip(bootstrap, "health", "after-fuzz");
      assertThat(canary.verify(bootstrap)).isEqualTo(CANARY_RECORDS);
      try (Admin admin = broker.admin()) {
        TopicPartition scratch = new TopicPartition("scratch", 0);
        assertThat(
                admin
                    .listOffsets(Map.of(scratch, OffsetSpec.latest()))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(scratch)
                    .offset())
            .as("records produced by unauthenticated fuzzed connections")
            .isZero();
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
            .containsExactlyInAnyOrder("canary", "scratch", "health");
      }
      assertThat(logs.errors()).as("errors logged by the broker").isEmpty();
      assertThat(logs.count(Level.ERROR)).isZero();
    }
  }

  private static RequestTemplates.Template template(AbstractRequest request) {
    ByteBuffer buffer =
        request.serializeWithHeader(
            new RequestHeader(request.apiKey(), request.version(), "fuzz", 1));
    byte[] payload = new byte[buffer.remaining()];
    buffer.get(payload);
    return new RequestTemplates.Template(request.apiKey(), request.version(), payload, -1, 0);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
