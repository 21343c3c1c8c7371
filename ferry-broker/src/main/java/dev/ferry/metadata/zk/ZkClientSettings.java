package dev.ferry.metadata.zk;

import javax.security.auth.login.Configuration;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The ZooKeeper client settings of Ferry's sessions. A broker given a JAAS file for its listeners
 * ({@code -Djava.security.auth.login.config}, typically with only a {@code KafkaServer} section)
 * would otherwise make every ZooKeeper client try SASL with the file's {@code Client} section, fail
 * to find it and report an authentication failure before going on unauthenticated; without that
 * section the client is told not to try. With one, ZooKeeper SASL works as in Kafka.
 */
public final class ZkClientSettings {

  private ZkClientSettings() {}

  public static ZKClientConfig clientConfig() {
    ZKClientConfig config = new ZKClientConfig();
    if (System.getProperty("java.security.auth.login.config") != null
        && config.isSaslClientEnabled()
        && !hasSection(config.getProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, "Client"))) {
      config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
    }
    return config;
  }

  private static boolean hasSection(String name) {
    try {
      return Configuration.getConfiguration().getAppConfigurationEntry(name) != null;
    } catch (SecurityException unreadable) {
      // Let ZooKeeper's client try, and report the broken file itself.
      return true;
    }
  }
}
