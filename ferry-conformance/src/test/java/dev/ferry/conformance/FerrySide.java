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
  private final PlainLogin login;

  private FerrySide(List<FerryBroker> brokers, TestingServer zk, PlainLogin login) {
    this.brokers = brokers;
    this.zk = zk;
    this.login = login;
  }

  static FerrySide start(Path dir, int size, Map<String, String> config) throws Exception {
    return start(dir, size, config, null);
  }

  /**
   * With {@code login} non-null, as the Kafka reference on a SASL listener: a SASL_PLAINTEXT
   * listener with the test kit's PLAIN users (and SCRAM), Kafka's StandardAuthorizer class name,
   * {@link PlainLogin#ADMIN} a super user, no access without ACLs; the suite talks to that listener
   * and logs in as {@code login}. A PLAINTEXT listener stays the inter-broker one.
   */
  static FerrySide start(Path dir, int size, Map<String, String> config, PlainLogin login)
      throws Exception {
    TestingServer zk = size > 1 ? new TestingServer(true) : null;
    List<FerryBroker> brokers = new ArrayList<>();
    FerrySide side = new FerrySide(brokers, zk, login);
    try {
      for (int id = 0; id < size; id++) {
        Map<String, String> p = new HashMap<>();
        p.put("broker.id", Integer.toString(id));
        p.put("listeners", "PLAINTEXT://127.0.0.1:0");
        if (login != null) {
          p.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0");
          p.put("inter.broker.listener.name", "PLAINTEXT");
          p.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
          p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", PlainLogin.brokerJaas());
          p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
          p.put("allow.everyone.if.no.acl.found", "false");
          p.put("super.users", "User:" + PlainLogin.ADMIN.user());
        }
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
      int port = login == null ? b.port() : b.port("SASL_PLAINTEXT");
      nodes.add(new Node(b.config().brokerId, "127.0.0.1", port));
    }
    return nodes;
  }

  @Override
  public void authenticate(WireConnection connection) throws java.io.IOException {
    if (login != null) {
      login.login(connection);
    }
  }

  @Override
  public java.util.Properties clientProperties() {
    return login == null ? new java.util.Properties() : login.clientProperties();
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
