package dev.ferry.conformance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import kafka.server.BrokerServer;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Apache Kafka 4.4 in KRaft mode, in this JVM, through Kafka's own test kit (which formats the
 * storage and binds ephemeral loopback ports). Configured as a <em>default</em> broker: the test
 * kit would enable unstable API versions, unstable features and the latest testing metadata
 * version; all three are put back to what {@code kafka-storage format} and a plain {@code
 * server.properties} give, since Ferry must match what users run.
 */
final class KafkaReference implements BrokerUnderTest {

  private final KafkaClusterTestKit cluster;
  private final PlainLogin login;

  private KafkaReference(KafkaClusterTestKit cluster, PlainLogin login) {
    this.cluster = cluster;
    this.login = login;
  }

  /**
   * {@code brokers} broker nodes; a single node runs in combined mode (broker and controller, as
   * bench/ runs Kafka), several get one separate controller.
   */
  static KafkaReference start(Path dir, int brokers, Map<String, String> config) throws Exception {
    return start(dir, brokers, config, null);
  }

  /**
   * With {@code login} non-null, the broker listener is SASL_PLAINTEXT: the test kit then writes a
   * JAAS file with its PLAIN users ({@link PlainLogin#ADMIN} a super user) and turns on its
   * StandardAuthorizer (no ACL, no access); the suite's connections log in as {@code login}.
   */
  static KafkaReference start(Path dir, int brokers, Map<String, String> config, PlainLogin login)
      throws Exception {
    MetadataVersion release = MetadataVersion.LATEST_PRODUCTION;
    Map<String, Short> features = new HashMap<>();
    for (Feature f : Feature.PRODUCTION_FEATURES) {
      features.put(f.featureName(), f.defaultLevel(release));
    }
    TestKitNodes nodes =
        new TestKitNodes.Builder(BootstrapMetadata.fromVersions(release, features, "conformance"))
            .setCombined(brokers == 1)
            .setNumBrokerNodes(brokers)
            .setNumControllerNodes(1)
            .setBaseDirectory(dir)
            // The controller listener too: with the authorizer on, a PLAINTEXT (anonymous)
            // controller connection would be refused its registration.
            .setBrokerSecurityProtocol(
                login == null ? SecurityProtocol.PLAINTEXT : SecurityProtocol.SASL_PLAINTEXT)
            .setControllerSecurityProtocol(
                login == null ? SecurityProtocol.PLAINTEXT : SecurityProtocol.SASL_PLAINTEXT)
            .build();
    KafkaClusterTestKit.Builder builder =
        new KafkaClusterTestKit.Builder(nodes)
            .setConfigProp("unstable.api.versions.enable", "false")
            .setConfigProp("unstable.feature.versions.enable", "false");
    config.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
    return new KafkaReference(cluster, login);
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public List<Node> nodes() {
    List<Node> nodes = new ArrayList<>();
    ListenerName listener = cluster.nodes().brokerListenerName();
    for (Map.Entry<Integer, BrokerServer> e :
        new java.util.TreeMap<>(cluster.brokers()).entrySet()) {
      int port = e.getValue().boundPort(listener);
      nodes.add(new Node(e.getKey(), "localhost", port));
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
    cluster.close();
  }
}
