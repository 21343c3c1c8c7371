package dev.ferry.conformance;

import dev.ferry.broker.BrokerConfig;
import dev.ferry.broker.FerryBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;

/**
 * Ferry brokers in this JVM on ephemeral loopback ports: one with its embedded ZooKeeper, or
 * several sharing a test ZooKeeper (a replicated cluster).
 */
final class FerrySide implements BrokerUnderTest {

  private final List<FerryBroker> brokers;
  private final TestingServer zk;

  private FerrySide(List<FerryBroker> brokers, TestingServer zk) {
    this.brokers = brokers;
    this.zk = zk;
  }

  static FerrySide start(Path dir, int size, Map<String, String> config) throws Exception {
    TestingServer zk = size > 1 ? new TestingServer(true) : null;
    List<FerryBroker> brokers = new ArrayList<>();
    FerrySide side = new FerrySide(brokers, zk);
    try {
      for (int id = 0; id < size; id++) {
        Map<String, String> p = new HashMap<>();
        p.put("broker.id", Integer.toString(id));
        p.put("listeners", "PLAINTEXT://127.0.0.1:0");
        p.put("log.dirs", dir.resolve("broker-" + id).toString());
        p.put("num.network.threads", "2");
        if (zk != null) {
          p.put("zookeeper.connect", zk.getConnectString());
        }
        p.putAll(config);
        brokers.add(new FerryBroker(new BrokerConfig(p)).start());
      }
    } catch (Exception | Error e) {
      side.close();
      throw e;
    }
    return side;
  }

  @Override
  public String name() {
    return "ferry";
  }

  @Override
  public List<Node> nodes() {
    List<Node> nodes = new ArrayList<>();
    for (FerryBroker b : brokers) {
      nodes.add(new Node(b.config().brokerId, "127.0.0.1", b.port()));
    }
    return nodes;
  }

  @Override
  public void close() throws Exception {
    for (int i = brokers.size() - 1; i >= 0; i--) {
      brokers.get(i).close();
    }
    if (zk != null) {
      zk.close();
    }
  }
}
