package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.it.TestBroker;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry cluster info}, an unreachable broker, and help for every command. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterAndErrorsTest {

  @Test
  void clusterInfoShowsBrokersControllerAndPartitions(@TempDir Path dir) throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(List.of(new NewTopic("a", 2, (short) 1), new NewTopic("b", 1, (short) 1)))
            .all()
            .get();
      }
      String port = broker.bootstrap().substring(broker.bootstrap().indexOf(':') + 1);

      Cli.Result table = Cli.on(broker.bootstrap(), "cluster", "info");
      assertThat(table.exitCode()).as(table.err()).isZero();
      List<String> lines = table.lines();
      assertThat(lines.get(0)).matches("Cluster ID: [A-Za-z0-9_-]{22}");
      assertThat(lines.subList(1, lines.size()))
          .containsExactly(
              "Controller: 0 (127.0.0.1:" + port + ")",
              "BROKER  HOST       PORT" + " ".repeat(Math.max(2, 6 - port.length() + 2)) + "RACK",
              "0       127.0.0.1  " + port + "  -",
              "TOPIC  PARTITION  LEADER  REPLICAS  ISR",
              "a      0          0       0         0",
              "a      1          0       0         0",
              "b      0          0       0         0",
              "1 broker(s), 3 partition(s), 0 under-replicated.");

      Cli.Result json = Cli.on(broker.bootstrap(), "cluster", "info", "--output", "json");
      assertThat(json.exitCode()).as(json.err()).isZero();
      JsonNode root = json.json();
      assertThat(root.get("controller").get("id").asInt()).isZero();
      assertThat(root.get("brokers").size()).isEqualTo(1);
      assertThat(root.get("brokers").get(0).get("port").asInt()).isEqualTo(Integer.parseInt(port));
      assertThat(root.get("partitions").size()).isEqualTo(3);
      assertThat(root.get("partitions").get(1).toString())
          .isEqualTo("{\"topic\":\"a\",\"partition\":1,\"leader\":0,\"replicas\":[0],\"isr\":[0]}");
      assertThat(root.get("underReplicatedPartitions").asInt()).isZero();
    }
  }

  @Test
  void unreachableBrokerFailsWithinTheTimeout() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String bootstrap = "127.0.0.1:" + closedPort;
    for (List<String> args :
        List.of(
            List.of("topic", "list"),
            List.of("cluster", "info"),
            List.of("consume", "-t", "x", "--timeout-ms", "100"))) {
      long t0 = System.nanoTime();
      Cli.Result r =
          Cli.run(concat(args, "--bootstrap-server", bootstrap, "--request-timeout-ms", "2000"));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err().lines()).hasSize(1);
      assertThat(r.err())
          .startsWith("ferry: error: no answer from " + bootstrap + " within 2000 ms");
      assertThat(ms).as(String.join(" ", args)).isLessThan(8_000);
    }
  }

  @Test
  void everyCommandHasHelp() {
    List<List<String>> commands =
        List.of(
            List.of(),
            List.of("start"),
            List.of("topic"),
            List.of("topic", "create"),
            List.of("topic", "list"),
            List.of("topic", "describe"),
            List.of("topic", "delete"),
            List.of("topic", "alter-config"),
            List.of("topic", "add-partitions"),
            List.of("produce"),
            List.of("consume"),
            List.of("group"),
            List.of("group", "list"),
            List.of("group", "describe"),
            List.of("group", "reset-offsets"),
            List.of("group", "delete"),
            List.of("cluster"),
            List.of("cluster", "info"),
            List.of("perf"),
            List.of("perf", "produce"),
            List.of("perf", "consume"));
    for (List<String> command : commands) {
      Cli.Result r = Cli.run(concat(command, "--help"));
      assertThat(r.exitCode()).as(command.toString()).isZero();
      assertThat(r.out()).as(command.toString()).startsWith("Usage: ferry");
      if (!command.isEmpty() && !command.equals(List.of("start"))) {
        boolean group = List.of("topic", "group", "cluster", "perf").contains(command.get(0));
        if (!group || command.size() == 2) {
          assertThat(r.out()).as(command.toString()).contains("--bootstrap-server");
        }
      }
    }
    Cli.Result missingSub = Cli.run("topic");
    assertThat(missingSub.exitCode()).isEqualTo(2);
    assertThat(missingSub.err())
        .isEqualTo("ferry: error: Missing required subcommand (see 'ferry topic --help')\n");
  }

  private static String[] concat(List<String> head, String... tail) {
    String[] all = new String[head.size() + tail.length];
    for (int i = 0; i < head.size(); i++) {
      all[i] = head.get(i);
    }
    System.arraycopy(tail, 0, all, head.size(), tail.length);
    return all;
  }
}
