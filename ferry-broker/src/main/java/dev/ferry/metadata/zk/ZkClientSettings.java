package dev.ferry.metadata.zk;

import java.util.Properties;
import javax.security.auth.login.Configuration;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The ZooKeeper client settings of Ferry's sessions.
 *
 * <p>SASL: a broker given a JAAS file for its listeners ({@code -Djava.security.auth.login.config},
 * typically with only a {@code KafkaServer} section) would otherwise make every ZooKeeper client
 * try SASL with the file's {@code Client} section, fail to find it and report an authentication
 * failure before going on unauthenticated; without that section the client is told not to try. With
 * one, ZooKeeper SASL works as in Kafka.
 *
 * <p>Start-up: ZooKeeper's own {@link ZKClientConfig} constructor copies the {@code zookeeper.*}
 * system properties into the configuration, and for the TLS ones it instantiates ZooKeeper's TLS
 * helper, whose static set-up asks the JDK for its default SSL context: the security providers and
 * the whole CA trust store (about 140 certificates) are loaded and parsed, 150–350 ms of CPU on a
 * cold JVM, even though the session is plaintext. Unless TLS to ZooKeeper is asked for ({@code
 * -Dzookeeper.client.secure=true}, which needs the helper anyway), the configuration is built by
 * {@link PlaintextClientConfig}, which copies the same system properties without the helper.
 */
public final class ZkClientSettings {

  static final String CLIENT_SECURE = ZKClientConfig.SECURE_CLIENT;

  private ZkClientSettings() {}

  public static ZKClientConfig clientConfig() {
    ZKClientConfig config =
        Boolean.getBoolean(CLIENT_SECURE) ? new ZKClientConfig() : new PlaintextClientConfig();
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

  /**
   * A client configuration filled from the system properties as ZooKeeper's own is ({@code
   * zookeeper.*}, {@code jute.maxbuffer}, {@code sun.security.jgss.native}), without creating
   * ZooKeeper's TLS helper. It copies every {@code zookeeper.*} property that is set rather than
   * ZooKeeper's list of names, so a name added by a later ZooKeeper is not lost; names the client
   * does not know are never read.
   */
  static final class PlaintextClientConfig extends ZKClientConfig {

    /**
     * Called by ZooKeeper's base constructor, before this class's own initialisation: it may use no
     * fields of this class.
     */
    @Override
    protected void handleBackwardCompatibility() {
      Properties system = System.getProperties();
      for (String name : system.stringPropertyNames()) {
        if (name.startsWith("zookeeper.")
            || name.equals("jute.maxbuffer")
            || name.equals("sun.security.jgss.native")) {
          setProperty(name, system.getProperty(name));
        }
      }
    }
  }
}
