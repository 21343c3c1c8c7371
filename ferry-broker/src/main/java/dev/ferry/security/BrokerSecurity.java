package dev.ferry.security;

import dev.ferry.network.ChannelBuilder;
import dev.ferry.network.NetworkMetrics;
import dev.ferry.replication.InterBrokerChannel;
import dev.ferry.security.authorizer.AclAuthorizer;
import dev.ferry.security.authorizer.AclStore;
import dev.ferry.security.authorizer.Authorizer;
import dev.ferry.security.scram.ScramCredentialStore;
import java.io.Closeable;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's security components, started together: the ZooKeeper-backed SCRAM credentials and
 * ACLs, the authorizer chosen by {@code authorizer.class.name}, and from them each listener's
 * channel builder and the inter-broker client.
 */
public final class BrokerSecurity implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(BrokerSecurity.class);

  private final Map<String, String> values;
  private final SecurityZooKeeper zk;
  private final ScramCredentialStore scram;
  private final AclStore acls;
  private final Authorizer authorizer;

  private BrokerSecurity(
      Map<String, String> values,
      SecurityZooKeeper zk,
      ScramCredentialStore scram,
      AclStore acls,
      Authorizer authorizer) {
    this.values = values;
    this.zk = zk;
    this.scram = scram;
    this.acls = acls;
    this.authorizer = authorizer;
  }

  /**
   * Connects to ZooKeeper and loads credentials and ACLs (bounded by the connection timeout).
   *
   * @throws ConfigException if {@code authorizer.class.name} names an authorizer Ferry has not
   */
  public static BrokerSecurity start(
      Map<String, String> values, String zkConnect, int sessionTimeoutMs, int connectionTimeoutMs) {
    String authorizerClass = values.getOrDefault("authorizer.class.name", "").trim();
    if (!authorizerClass.isEmpty() && !AclAuthorizer.KAFKA_CLASS_NAMES.contains(authorizerClass)) {
      throw new ConfigException(
          "authorizer.class.name",
          authorizerClass,
          "Ferry's built-in ACL authorizer is enabled by one of "
              + AclAuthorizer.KAFKA_CLASS_NAMES);
    }
    SecurityZooKeeper zk =
        SecurityZooKeeper.connect(zkConnect, sessionTimeoutMs, connectionTimeoutMs);
    ScramCredentialStore scram = null;
    AclStore acls = null;
    try {
      scram = new ScramCredentialStore(zk).start(connectionTimeoutMs);
      acls = new AclStore(zk).start(connectionTimeoutMs);
      Authorizer authorizer = Authorizer.ALLOW_ALL;
      if (!authorizerClass.isEmpty()) {
        authorizer =
            new AclAuthorizer(
                acls,
                AclAuthorizer.parseSuperUsers(values.get("super.users")),
                Boolean.parseBoolean(
                    values.getOrDefault("allow.everyone.if.no.acl.found", "false").trim()));
        log.info(
            "ACL authorization enabled ({}), super users: {}",
            authorizerClass,
            values.getOrDefault("super.users", "none"));
      }
      return new BrokerSecurity(values, zk, scram, acls, authorizer);
    } catch (RuntimeException e) {
      if (acls != null) {
        acls.close();
      }
      if (scram != null) {
        scram.close();
      }
      zk.close();
      throw e;
    }
  }

  /**
   * Security for a broker without ZooKeeper (metadata in memory): TLS and SASL PLAIN work, but
   * there are no SCRAM credentials and no ACLs, since both are stored in ZooKeeper.
   *
   * @throws ConfigException if {@code authorizer.class.name} asks for ACL authorization
   */
  public static BrokerSecurity withoutZooKeeper(Map<String, String> values) {
    String authorizerClass = values.getOrDefault("authorizer.class.name", "").trim();
    if (!authorizerClass.isEmpty()) {
      throw new ConfigException(
          "authorizer.class.name",
          authorizerClass,
          "ACLs are stored in ZooKeeper; a broker with in-memory metadata has none");
    }
    return new BrokerSecurity(values, null, null, null, Authorizer.ALLOW_ALL);
  }

  public Authorizer authorizer() {
    return authorizer;
  }

  public AclStore acls() {
    return acls;
  }

  public ScramCredentialStore scram() {
    return scram;
  }

  public ListenerSettings settings(String listenerName) {
    return new ListenerSettings(listenerName, values);
  }

  /** The channel builder of a listener with the given security protocol. */
  public ChannelBuilder channelBuilder(
      String listenerName, String protocol, NetworkMetrics metrics) {
    return SecureChannelBuilder.create(
        settings(listenerName),
        securityProtocol(protocol),
        scram != null ? scram : (user, mechanism) -> Optional.empty(),
        metrics);
  }

  /** How replica fetchers reach the inter-broker listener of other brokers. */
  public InterBrokerChannel interBrokerChannel(
      String listenerName, String protocol, String saslMechanism) {
    return InterBrokerSecurity.create(
        settings(listenerName), securityProtocol(protocol), saslMechanism);
  }

  private static SecurityProtocol securityProtocol(String name) {
    return SecurityProtocol.forName(name.toUpperCase(Locale.ROOT));
  }

  @Override
  public void close() {
    if (zk == null) {
      return; // withoutZooKeeper: nothing was opened
    }
    acls.close();
    scram.close();
    zk.close();
  }
}
