package dev.ferry.security;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/** Broker and client security settings shared by the security tests (Kafka's config names). */
public final class SecureClusterConfig {

  public static final String PLAIN_MODULE =
      "org.apache.kafka.common.security.plain.PlainLoginModule";
  public static final String SCRAM_MODULE =
      "org.apache.kafka.common.security.scram.ScramLoginModule";

  private SecureClusterConfig() {}

  public static String password(String user) {
    return user + "-secret";
  }

  /**
   * A broker with four listeners: PLAINTEXT (inter-broker unless overridden), SASL_PLAINTEXT, SSL
   * with required client certificates, SASL_SSL; PLAIN users admin, alice and bob.
   */
  public static Map<String, String> brokerSettings() {
    Path certs = TestCertificates.dir();
    Map<String, String> p = new HashMap<>();
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0");
    p.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
    String plainUsers =
        PLAIN_MODULE
            + " required username=\"admin\" password=\"admin-secret\""
            + " user_admin=\"admin-secret\" user_alice=\"alice-secret\" user_bob=\"bob-secret\";";
    p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", plainUsers);
    p.put("listener.name.sasl_ssl.plain.sasl.jaas.config", plainUsers);
    String scramAdmin = SCRAM_MODULE + " required username=\"admin\" password=\"admin-secret\";";
    p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", scramAdmin);
    p.put("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config", scramAdmin);
    p.put("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", scramAdmin);
    p.put("ssl.keystore.location", certs.resolve("broker.p12").toString());
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.password", TestCertificates.PASSWORD);
    p.put("ssl.key.password", TestCertificates.PASSWORD);
    p.put("ssl.truststore.location", TestCertificates.truststore().toString());
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.password", TestCertificates.PASSWORD);
    p.put("listener.name.ssl.ssl.client.auth", "required");
    p.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+),.*$/$1/,DEFAULT");
    p.put("connection.failed.authentication.delay.ms", "20");
    return p;
  }

  /**
   * Client settings for {@code user} on a listener of the given protocol ("none": no credentials).
   */
  public static Properties client(
      String bootstrap, String protocol, String mechanism, String user) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    if (protocol.startsWith("SASL")) {
      p.put(SaslConfigs.SASL_MECHANISM, mechanism);
      String module = mechanism.equals("PLAIN") ? PLAIN_MODULE : SCRAM_MODULE;
      p.put(
          SaslConfigs.SASL_JAAS_CONFIG,
          module
              + " required username=\""
              + user
              + "\" password=\""
              + (user.equals("nobody") ? "wrong" : password(user))
              + "\";");
    }
    if (protocol.endsWith("SSL")) {
      p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, TestCertificates.truststore().toString());
      p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
      p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
      if (protocol.equals("SSL") && TestCertificates.IDENTITIES.contains(user)) {
        p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, TestCertificates.keystore(user).toString());
        p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        p.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, TestCertificates.PASSWORD);
      }
    }
    return p;
  }
}
