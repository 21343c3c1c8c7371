package dev.ferry.conformance;

import java.io.IOException;
import java.util.Properties;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * SASL/PLAIN credentials of a side's administrator: authenticates the suite's ordinary connections
 * (handshake v1, then SaslAuthenticate) and configures the real clients the same way.
 */
record PlainLogin(String user, String password) {

  /**
   * The Kafka test kit's super user on a SASL listener (its JAAS file has it; Ferry is given it).
   */
  static final PlainLogin ADMIN = new PlainLogin("plain-admin", "plain-admin-secret");

  /** The Kafka test kit's other PLAIN user: no ACLs, so denied wherever ACLs are needed. */
  static final PlainLogin USER = new PlainLogin("plain-user1", "plain-user1-secret");

  void login(WireConnection c) throws IOException {
    SaslHandshakeResponseData h =
        (SaslHandshakeResponseData)
            c.send(Requests.of(new SaslHandshakeRequestData().setMechanism("PLAIN"), (short) 1))
                .data();
    if (h.errorCode() != Errors.NONE.code()) {
      throw new IOException("SASL handshake refused: " + Errors.forCode(h.errorCode()));
    }
    SaslAuthenticateResponseData a =
        (SaslAuthenticateResponseData)
            c.send(
                    Requests.of(
                        new SaslAuthenticateRequestData()
                            .setAuthBytes(SecurityAdminCases.plain(user, password)),
                        (short) 2))
                .data();
    if (a.errorCode() != Errors.NONE.code()) {
      throw new IOException("SASL/PLAIN refused " + user + ": " + Errors.forCode(a.errorCode()));
    }
  }

  Properties clientProperties() {
    Properties p = new Properties();
    p.put("security.protocol", "SASL_PLAINTEXT");
    p.put("sasl.mechanism", "PLAIN");
    p.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";");
    return p;
  }

  /** The JAAS line of a broker's PLAIN users: the two test-kit users. */
  static String brokerJaas() {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required"
        + " username=\""
        + ADMIN.user
        + "\" password=\""
        + ADMIN.password
        + "\" user_"
        + ADMIN.user
        + "=\""
        + ADMIN.password
        + "\" user_"
        + USER.user
        + "=\""
        + USER.password
        + "\";";
  }
}
