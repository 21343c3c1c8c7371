package dev.ferry.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ZooKeeper session (crash detection) follows Kafka 4.4's {@code broker.session.timeout.ms}
 * unless the ZooKeeper-era {@code zookeeper.session.timeout.ms} is set; start-up's connection
 * timeout follows the session.
 */
class BrokerSessionTimeoutConfigTest {

  @Test
  void defaultsToKafkasBrokerSessionTimeout() {
    BrokerConfig config = new BrokerConfig(Map.of());
    assertThat(config.zookeeperSessionTimeoutMs).isEqualTo(9_000);
    assertThat(config.zookeeperConnectionTimeoutMs).isEqualTo(9_000);
    assertThat(config.knownDefaults())
        .containsEntry("broker.session.timeout.ms", "9000")
        .containsEntry("zookeeper.session.timeout.ms", "9000");
  }

  @Test
  void followsBrokerSessionTimeoutWhenSet() {
    BrokerConfig config = new BrokerConfig(Map.of("broker.session.timeout.ms", "12000"));
    assertThat(config.zookeeperSessionTimeoutMs).isEqualTo(12_000);
    assertThat(config.zookeeperConnectionTimeoutMs).isEqualTo(12_000);
  }

  @Test
  void theZooKeeperNameWinsWhenSet() {
    BrokerConfig config =
        new BrokerConfig(
            Map.of(
                "broker.session.timeout.ms", "12000",
                "zookeeper.session.timeout.ms", "18000",
                "zookeeper.connection.timeout.ms", "30000"));
    assertThat(config.zookeeperSessionTimeoutMs).isEqualTo(18_000);
    assertThat(config.zookeeperConnectionTimeoutMs).isEqualTo(30_000);
  }
}
