package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean stop (SIGTERM) is bounded and logged even when ZooKeeper cannot be reached: controlled
 * shutdown gives up after {@code controlled.shutdown.timeout.ms} (it cannot ask the controller to
 * move leadership), and nothing else in the stop waits for ZooKeeper beyond its own bound. A broker
 * that waits there for {@code zookeeper.connection.timeout.ms} per attempt instead (30 s in the
 * cluster fault runs) outlives the test's 30 s bound: the CLEAN_RESTART liveness failure.
 */
@Tag("slow")
class CleanStopTest {

  private static final String TOPIC = "clean-stop";
  private static final long CONTROLLED_SHUTDOWN_TIMEOUT_MS = 3_000;

  @TempDir Path dir;

  @Test
  void aCleanStopWhileZooKeeperIsUnreachableIsBoundedAndLogged() throws Exception {
    try (ThreeBrokers cluster =
        ThreeBrokers.start(
            dir,
            4_000,
            Map.of(
                "controlled.shutdown.timeout.ms",
                Long.toString(CONTROLLED_SHUTDOWN_TIMEOUT_MS),
                // As in the cluster fault runs: a long wait for a ZooKeeper connection.
                "zookeeper.connection.timeout.ms",
                "30000"),
            null,
            false)) {
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap()))) {
        admin
            .createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3)))
            .all()
            .get(60, TimeUnit.SECONDS);
      }
      PartitionLeaders leaders = cluster.leaders(TOPIC);
      int leader = leaders.await(0, Duration.ofSeconds(60)).leader();
      ManagedBroker victim = cluster.broker(leader);

      cluster.zooKeeper().kill(0);
      long stopMs;
      try {
        stopMs = victim.stopCleanly();
      } finally {
        // The others would each wait out their own stop without ZooKeeper: not under test here.
        for (ManagedBroker b : cluster.brokers()) {
          if (b.isAlive()) {
            b.kill();
          }
        }
      }

      List<String> log = victim.output();
      System.out.printf("Broker %d stopped in %d ms without ZooKeeper%n", leader, stopMs);
      log.stream().filter(l -> l.contains("[ferry-shutdown]")).forEach(System.out::println);
      assertThat(log).anyMatch(l -> l.contains("Stopping broker " + leader));
      String gaveUp = "Controlled shutdown of broker " + leader + " gave up after ";
      String line =
          log.stream()
              .filter(l -> l.contains(gaveUp))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no '" + gaveUp + "' in the broker's log"));
      long controlledMs =
          Long.parseLong(line.substring(line.indexOf(gaveUp) + gaveUp.length()).split(" ")[0]);
      // Its own bound, plus a poll and a busy machine's scheduling: not a wait for ZooKeeper.
      assertThat(controlledMs).isLessThan(CONTROLLED_SHUTDOWN_TIMEOUT_MS + 2_000);
      assertThat(log).anyMatch(l -> l.contains("Broker " + leader + " stopped in"));
      // Controlled shutdown's bound plus the stop's own steps (each bounded to a few seconds),
      // with room for a loaded machine; well below the 30 s after which the stop fails.
      assertThat(stopMs).isLessThan(CONTROLLED_SHUTDOWN_TIMEOUT_MS + 15_000);
    }
  }
}
