package dev.ferry.bench.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerClusterTest {

  private static BrokerProcess sleeper(Path dir, String name, String address) throws Exception {
    return BrokerProcess.launch(
        name, List.of("sleep", "60"), dir, address, dir.resolve(name + ".log"), dir);
  }

  @Test
  void sumsOverEveryProcessAndStopsThemAll(@TempDir Path dir) throws Exception {
    BrokerProcess b1 = sleeper(dir, "b1", "127.0.0.1:1001");
    BrokerProcess b2 = sleeper(dir, "b2", "127.0.0.1:1002");
    BrokerProcess zk = sleeper(dir, "zk", "127.0.0.1:2181");
    BrokerCluster cluster = new BrokerCluster("test", List.of(b1, b2), List.of(zk), List.of(zk), 0);
    try {
      assertThat(cluster.bootstrapServers()).isEqualTo("127.0.0.1:1001,127.0.0.1:1002");
      assertThat(cluster.all()).containsExactly(b1, b2, zk);
      double[] cpu = cluster.cpuSeconds();
      assertThat(cpu).hasSize(3);
      for (double seconds : cpu) {
        assertThat(seconds).isGreaterThanOrEqualTo(0); // NaN would fail: the process is gone
      }
      assertThat(cluster.rssBytes())
          .isEqualTo(b1.rssBytes() + b2.rssBytes() + zk.rssBytes())
          .isPositive();
      cluster.checkAlive();
    } finally {
      cluster.close();
    }

    assertThat(List.of(b1, b2, zk)).noneMatch(BrokerProcess::isAlive);
  }
}
