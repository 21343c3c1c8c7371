package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry verify} works against any Kafka-API cluster: here Apache Kafka 4.4 (a JVM of its
 * own), with idempotent producers and with transactions (every 5th aborted on purpose, which a
 * read_committed consumer must never see).
 */
@Tag("slow")
class VerifyAgainstKafkaTest {

  @TempDir static Path dir;
  static KafkaBroker kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = KafkaBroker.start(dir);
  }

  @AfterAll
  static void stopKafka() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void anIdempotentRunPasses() {
    JsonNode report = passingRun("--partitions=3");
    assertThat(report.get("aborted").asLong()).isZero();
  }

  @Test
  void aTransactionalRunPassesAndNoAbortedRecordIsVisible() {
    JsonNode report = passingRun("--partitions=2", "--transactional");
    assertThat(report.get("aborted").asLong()).isPositive();
    assertThat(report.get("abortedVisible").asLong()).isZero();
    assertThat(report.get("acknowledged").asLong() % 10).isZero();
  }

  private static JsonNode passingRun(String... extra) {
    String[] args = new String[5 + extra.length];
    args[0] = "verify";
    args[1] = "run";
    args[2] = "--duration=4s";
    args[3] = "-o";
    args[4] = "json";
    System.arraycopy(extra, 0, args, 5, extra.length);
    Cli.Result r = Cli.on(kafka.bootstrap(), args);
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    JsonNode report = r.json();
    assertThat(report.get("result").asText()).isEqualTo("passed");
    assertThat(report.get("acknowledged").asLong()).as(r.err()).isGreaterThan(200);
    assertThat(report.get("read").asLong())
        .isEqualTo(
            report.get("acknowledged").asLong() + report.get("unacknowledgedPresent").asLong());
    for (String anomaly :
        new String[] {"lost", "moved", "duplicated", "reordered", "phantom", "unstable"}) {
      assertThat(report.get(anomaly).asLong()).as(anomaly).isZero();
    }
    return report;
  }
}
