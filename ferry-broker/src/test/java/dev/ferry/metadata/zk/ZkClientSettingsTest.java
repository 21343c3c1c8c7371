package dev.ferry.metadata.zk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client configuration Ferry's ZooKeeper sessions get: the system properties ZooKeeper's own
 * {@link ZKClientConfig} would copy, without its TLS helper unless TLS to ZooKeeper is asked for.
 */
class ZkClientSettingsTest {

  /** Properties ZooKeeper's constructor copies from the system, with a value for each. */
  private static final Map<String, String> SET =
      Map.of(
          "jute.maxbuffer", "2097152",
          "zookeeper.sasl.client", "false",
          "zookeeper.sasl.client.username", "zk-admin",
          "zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNIO",
          "zookeeper.request.timeout", "7000",
          "zookeeper.ssl.protocol", "TLSv1.3",
          "zookeeper.ssl.keyStore.location", "/etc/zk/client.jks",
          "zookeeper.ssl.hostnameVerification", "false");

  private final Map<String, String> saved = new LinkedHashMap<>();

  private void setSystem(String key, String value) {
    saved.putIfAbsent(key, System.getProperty(key));
    System.setProperty(key, value);
  }

  @AfterEach
  void restoreSystemProperties() {
    saved.forEach(
        (key, value) -> {
          if (value == null) {
            System.clearProperty(key);
          } else {
            System.setProperty(key, value);
          }
        });
  }

  @Test
  void plaintextConfigReadsTheSystemPropertiesAsZooKeepersOwnDoes() {
    SET.forEach(this::setSystem);

    ZKClientConfig ours = ZkClientSettings.clientConfig();
    ZKClientConfig zookeepers = new ZKClientConfig();

    assertThat(ours).isInstanceOf(ZkClientSettings.PlaintextClientConfig.class);
    for (String key : SET.keySet()) {
      assertThat(ours.getProperty(key)).as(key).isEqualTo(SET.get(key));
      assertThat(ours.getProperty(key)).as(key).isEqualTo(zookeepers.getProperty(key));
    }
    assertThat(ours.isSaslClientEnabled()).isFalse();
    assertThat(ours.getLong(ZKClientConfig.ZOOKEEPER_REQUEST_TIMEOUT, 0)).isEqualTo(7000);
    assertThat(ours.getBoolean(ZKClientConfig.SECURE_CLIENT)).isFalse();
  }

  @Test
  void unsetPropertiesAreAbsentInBoth() {
    ZKClientConfig ours = ZkClientSettings.clientConfig();
    ZKClientConfig zookeepers = new ZKClientConfig();
    for (String key :
        List.of("zookeeper.server.realm", "zookeeper.ssl.trustStore.location", "zookeeper.kinit")) {
      if (System.getProperty(key) == null) {
        assertThat(ours.getProperty(key)).as(key).isNull();
        assertThat(zookeepers.getProperty(key)).as(key).isNull();
      }
    }
  }

  @Test
  void tlsToZooKeeperUsesZooKeepersOwnConfiguration() {
    setSystem(ZkClientSettings.CLIENT_SECURE, "true");
    setSystem("zookeeper.ssl.protocol", "TLSv1.2");

    ZKClientConfig config = ZkClientSettings.clientConfig();

    assertThat(config.getClass()).isEqualTo(ZKClientConfig.class);
    assertThat(config.getBoolean(ZKClientConfig.SECURE_CLIENT)).isTrue();
    assertThat(config.getProperty("zookeeper.ssl.protocol")).isEqualTo("TLSv1.2");
  }
}
