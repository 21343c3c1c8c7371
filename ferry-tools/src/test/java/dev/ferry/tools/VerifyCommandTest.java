package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.it.TestBroker;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry verify} against a real Ferry broker: a clean run, and a run across disk damage. */
class VerifyCommandTest {

  @TempDir Path dir;

  @Test
  void aRunAgainstAHealthyBrokerPassesAndRemovesItsTopic() throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      Cli.Result r =
          Cli.on(
              broker.bootstrap(),
              "verify",
              "run",
              "--duration=3s",
              "--rate=300",
              "--partitions=2",
              "-o",
              "json");
      assertThat(r.exitCode()).as(r.err()).isZero();
      JsonNode report = r.json();
      assertThat(report.get("result").asText()).isEqualTo("passed");
      long acknowledged = report.get("acknowledged").asLong();
      assertThat(acknowledged).isGreaterThan(500);
      assertThat(report.get("read").asLong())
          .isEqualTo(acknowledged + report.get("unacknowledgedPresent").asLong());
      assertThat(report.get("readLive").asLong()).isPositive();
      for (String anomaly :
          new String[] {"lost", "moved", "duplicated", "reordered", "phantom", "unstable"}) {
        assertThat(report.get(anomaly).asLong()).as(anomaly).isZero();
      }
      assertThat(report.get("anomalies")).isEmpty();
      String topic = report.get("topic").asText();
      assertThat(topic).isEqualTo("ferry-verify-" + report.get("runId").asText());
      try (Admin admin = broker.admin()) {
        assertThat(admin.listTopics().names().get(15, TimeUnit.SECONDS)).doesNotContain(topic);
      }
    }
  }

  @Test
  void aTransactionalRunAgainstFerryPassesAndNoAbortedRecordIsVisible() throws Exception {
    try (TestBroker broker =
        TestBroker.start(
            dir,
            Map.of(
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "transaction.state.log.num.partitions", "3"))) {
      Cli.Result r =
          Cli.on(
              broker.bootstrap(),
              "verify",
              "run",
              "--duration=3s",
              "--partitions=2",
              "--transactional",
              "-o",
              "json");
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      JsonNode report = r.json();
      assertThat(report.get("result").asText()).isEqualTo("passed");
      long acknowledged = report.get("acknowledged").asLong();
      assertThat(acknowledged).as(r.err()).isGreaterThan(200);
      // Whole transactions of 10 records each; every 5th aborted on purpose and never read.
      assertThat(acknowledged % 10).isZero();
      assertThat(report.get("aborted").asLong()).isPositive();
      assertThat(report.get("abortedVisible").asLong()).isZero();
      assertThat(report.get("read").asLong())
          .isEqualTo(acknowledged + report.get("unacknowledgedPresent").asLong());
      for (String anomaly :
          new String[] {"lost", "moved", "duplicated", "reordered", "phantom", "unstable"}) {
        assertThat(report.get(anomaly).asLong()).as(anomaly).isZero();
      }
      assertThat(report.get("anomalies")).isEmpty();
    }
  }

  @Test
  void aTruncatedSegmentBetweenProduceAndCheckIsReportedAsLoss() throws Exception {
    Path ledger = dir.resolve("ledger.txt");
    String bootstrap;
    try (TestBroker broker = TestBroker.start(dir)) {
      bootstrap = broker.bootstrap();
      Cli.Result produced =
          Cli.on(
              bootstrap,
              "verify",
              "produce",
              "--ledger=" + ledger,
              "--topic=orders",
              "--partitions=1",
              "--producers=1",
              "--duration=2s",
              "--rate=500");
      assertThat(produced.exitCode()).as(produced.err()).isZero();
      assertThat(produced.out()).contains("to topic orders with acknowledgement; ledger");

      Cli.Result intact = Cli.on(bootstrap, "verify", "check", "--ledger=" + ledger);
      assertThat(intact.exitCode()).as(intact.out() + intact.err()).isZero();
      assertThat(intact.out()).startsWith("ferry verify PASSED");
    }
    // With the broker stopped, cut the segment in half: the second half of the records is gone.
    Path segment = dir.resolve("logs/orders-0/00000000000000000000.log");
    long size = Files.size(segment);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(size / 2);
    }
    try (TestBroker broker = TestBroker.start(dir)) {
      Cli.Result r =
          Cli.on(broker.bootstrap(), "verify", "check", "--ledger=" + ledger, "-o", "json");
      assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
      JsonNode report = r.json();
      assertThat(report.get("result").asText()).isEqualTo("failed");
      long lost = report.get("lost").asLong();
      assertThat(lost).isPositive();
      assertThat(report.get("read").asLong() + lost).isEqualTo(report.get("acknowledged").asLong());
      JsonNode first = report.get("anomalies").get(0);
      assertThat(first.get("kind").asText()).isEqualTo("lost");
      assertThat(first.get("partition").asInt()).isZero();
      assertThat(first.get("offsets").get(0).asLong()).isEqualTo(report.get("read").asLong());
      assertThat(first.get("description").asText()).startsWith("lost acknowledged p0-");

      Cli.Result table = Cli.on(broker.bootstrap(), "verify", "check", "--ledger=" + ledger);
      assertThat(table.exitCode()).isEqualTo(1);
      assertThat(table.lines().get(0)).startsWith("ferry verify FAILED: run ");
      assertThat(table.out()).contains("First anomalies:", "  lost: lost acknowledged p0-");
    }
  }

  @Test
  void badArgumentsAreUsageErrors() {
    Cli.Result duration = Cli.run("verify", "run", "--duration=soon");
    assertThat(duration.exitCode()).isEqualTo(2);
    assertThat(duration.err()).contains("'soon' is not a duration");
    Cli.Result noLedger = Cli.run("verify", "check");
    assertThat(noLedger.exitCode()).isEqualTo(2);
    Cli.Result missing = Cli.run("verify", "check", "--ledger=" + dir.resolve("nope"));
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("ferry: error: no ledger " + dir.resolve("nope") + "\n");
  }
}
