package dev.ferry.security;

import dev.ferry.network.ChannelBuilder;
import dev.ferry.network.NetworkMetrics;
import dev.ferry.replication.InterBrokerChannel;
import dev.ferry.security.authorizer.AclAuthorizer;
import dev.ferry.security.authorizer.AclStore;
import dev.ferry.security.authorizer.Authorizer;
import dev.ferry.security.sasl.JaasFile;
import dev.ferry.security.scram.ScramCredentialSource;
import dev.ferry.security.scram.ScramCredentialStore;
import dev.ferry.security.scram.ScramMechanism;
import java.io.Closeable;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's security components: the ZooKeeper-backed SCRAM credentials and ACLs, the authorizer
 * chosen by {@code authorizer.class.name}, and from them each listener's channel builder and the
 * inter-broker client.
 *
 * <p>The stores have their own ZooKeeper session. It is opened at start only when the broker needs
 * it to serve clients: an authorizer is configured or a SASL listener enables a SCRAM mechanism.
 * Otherwise it opens on first use (a DescribeUserScramCredentials or AlterUserScramCredentials
 * request, which Kafka serves without any security configured), so a broker without security pays
 * nothing for it at start-up.
 */
public final class BrokerSecurity implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(BrokerSecurity.class);

  /** How to open the stores' session; null without ZooKeeper (in-memory metadata). */
  private record ZooKeeperTarget(String connect, int sessionTimeoutMs, int connectionTimeoutMs) {}

  /** The session and the stores on it, opened together. */
  private record Stores(SecurityZooKeeper zk, ScramCredentialStore scram, AclStore acls) {
    void close() {
      acls.close();
      scram.close();
      zk.close();
    }
  }

  private final Map<String, String> values;
  private final ZooKeeperTarget target;
  private final Authorizer authorizer;
  private JaasFile jaasFile; // guarded by this; read on first use
  private Stores stores; // guarded by this
  private boolean closed; // guarded by this

  private BrokerSecurity(
      Map<String, String> values, ZooKeeperTarget target, Stores stores, Authorizer authorizer) {
    this.values = values;
    this.target = target;
    this.stores = stores;
    this.authorizer = authorizer;
  }

  /**
   * Checks the configuration and, if an authorizer or a SCRAM mechanism is configured, connects to
   * ZooKeeper and loads credentials and ACLs (bounded by the connection timeout).
   *
   * @param listenerProtocols each listener's name and security protocol
   * @throws ConfigException if {@code authorizer.class.name} names an authorizer Ferry has not
   */
  public static BrokerSecurity start(
      Map<String, String> values,
      Map<String, String> listenerProtocols,
      String zkConnect,
      int sessionTimeoutMs,
      int connectionTimeoutMs) {
    String authorizerClass = values.getOrDefault("authorizer.class.name", "").trim();
    if (!authorizerClass.isEmpty() && !AclAuthorizer.KAFKA_CLASS_NAMES.contains(authorizerClass)) {
      throw new ConfigException(
          "authorizer.class.name",
          authorizerClass,
          "Ferry's built-in ACL authorizer is enabled by one of "
              + AclAuthorizer.KAFKA_CLASS_NAMES);
    }
    ZooKeeperTarget target = new ZooKeeperTarget(zkConnect, sessionTimeoutMs, connectionTimeoutMs);
    if (authorizerClass.isEmpty() && !scramEnabled(values, listenerProtocols)) {
      return new BrokerSecurity(values, target, null, Authorizer.ALLOW_ALL);
    }
    Stores stores = open(target);
    Authorizer authorizer = Authorizer.ALLOW_ALL;
    if (!authorizerClass.isEmpty()) {
      authorizer =
          new AclAuthorizer(
              stores.acls(),
              AclAuthorizer.parseSuperUsers(values.get("super.users")),
              Boolean.parseBoolean(
                  values.getOrDefault("allow.everyone.if.no.acl.found", "false").trim()));
      log.info(
          "ACL authorization enabled ({}), super users: {}",
          authorizerClass,
          values.getOrDefault("super.users", "none"));
    }
    return new BrokerSecurity(values, target, stores, authorizer);
  }

  /** Whether a SASL listener enables SCRAM-SHA-256 or SCRAM-SHA-512. */
  private static boolean scramEnabled(
      Map<String, String> values, Map<String, String> listenerProtocols) {
    for (Map.Entry<String, String> listener : listenerProtocols.entrySet()) {
      if (!listener.getValue().toUpperCase(Locale.ROOT).startsWith("SASL_")) {
        continue;
      }
      for (String m :
          new ListenerSettings(listener.getKey(), values)
              .list("sasl.enabled.mechanisms", "GSSAPI")) {
        if (ScramMechanism.forName(m.trim().toUpperCase(Locale.ROOT)).isPresent()) {
          return true;
        }
      }
    }
    return false;
  }

  private static Stores open(ZooKeeperTarget target) {
    SecurityZooKeeper zk =
        SecurityZooKeeper.connect(
            target.connect(), target.sessionTimeoutMs(), target.connectionTimeoutMs());
    ScramCredentialStore scram = null;
    try {
      scram = new ScramCredentialStore(zk).start(target.connectionTimeoutMs());
      AclStore acls = new AclStore(zk).start(target.connectionTimeoutMs());
      return new Stores(zk, scram, acls);
    } catch (RuntimeException e) {
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
    return new BrokerSecurity(values, null, null, Authorizer.ALLOW_ALL);
  }

  public Authorizer authorizer() {
    return authorizer;
  }

  /**
   * The ACL store, or null while the stores are not open (then there is no authorizer, and the ACL
   * APIs answer SECURITY_DISABLED without it).
   */
  public synchronized AclStore acls() {
    return stores == null ? null : stores.acls();
  }

  /**
   * The SCRAM credential store, opening the stores' ZooKeeper session first if needed (bounded by
   * the connection timeout); null for a broker without ZooKeeper.
   */
  public synchronized ScramCredentialStore scram() {
    if (stores == null && target != null) {
      if (closed) {
        throw new IllegalStateException("broker security closed");
      }
      log.info("Opening the security stores' ZooKeeper session (first SCRAM credentials request)");
      stores = open(target);
    }
    return stores == null ? null : stores.scram();
  }

  /** Whether the stores' ZooKeeper session is open. */
  public synchronized boolean storesOpen() {
    return stores != null;
  }

  public ListenerSettings settings(String listenerName) {
    return new ListenerSettings(listenerName, values, this::jaasFile);
  }

  /**
   * The JAAS file of {@code -Djava.security.auth.login.config}, parsed when a SASL listener first
   * needs it.
   */
  private synchronized JaasFile jaasFile() {
    if (jaasFile == null) {
      jaasFile = JaasFile.fromSystemProperty();
      if (jaasFile.present()) {
        log.info("JAAS login configuration: {}", jaasFile.location());
      }
    }
    return jaasFile;
  }

  /** The channel builder of a listener with the given security protocol. */
  public ChannelBuilder channelBuilder(
      String listenerName, String protocol, NetworkMetrics metrics) {
    return SecureChannelBuilder.create(
        settings(listenerName), securityProtocol(protocol), credentialSource(), metrics);
  }

  /**
   * The credentials SASL/SCRAM authenticates against. Stores not open at start mean no listener
   * enables SCRAM, so nothing asks; should one ask, the stores open then.
   */
  private ScramCredentialSource credentialSource() {
    synchronized (this) {
      if (stores != null) {
        return stores.scram();
      }
    }
    if (target == null) {
      return (user, mechanism) -> Optional.empty();
    }
    return (user, mechanism) -> scram().credential(user, mechanism);
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
  public synchronized void close() {
    closed = true;
    if (stores != null) {
      stores.close();
      stores = null;
    }
  }
}
