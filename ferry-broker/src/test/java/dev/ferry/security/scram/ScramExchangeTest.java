package dev.ferry.security.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Ferry's SCRAM client against its server, and against tampering. */
class ScramExchangeTest {

  private static ScramCredentialSource source(ScramMechanism m, String user, String password) {
    ScramCredential credential = new ScramCrypto(m).credential(password, 4096);
    Map<String, ScramCredential> users = Map.of(user, credential);
    return (u, mech) -> mech == m ? Optional.ofNullable(users.get(u)) : Optional.empty();
  }

  @ParameterizedTest
  @EnumSource(ScramMechanism.class)
  void rightPasswordAuthenticatesBothWays(ScramMechanism m) {
    ScramServer server = new ScramServer(m, source(m, "alice", "alice-secret"));
    ScramClient client = new ScramClient(m, "alice", "alice-secret");
    byte[] serverFirst = server.evaluate(client.clientFirst());
    assertThat(new String(serverFirst, StandardCharsets.UTF_8)).contains(",i=4096");
    byte[] serverFinal = server.evaluate(client.clientFinal(serverFirst));
    client.verifyServerFinal(serverFinal);
    assertThat(server.isComplete()).isTrue();
    assertThat(server.userName()).isEqualTo("alice");
  }

  @ParameterizedTest
  @EnumSource(ScramMechanism.class)
  void wrongPasswordUnknownUserAndTamperedNonceFail(ScramMechanism m) {
    ScramServer server = new ScramServer(m, source(m, "alice", "alice-secret"));
    ScramClient wrong = new ScramClient(m, "alice", "guess");
    byte[] serverFirst = server.evaluate(wrong.clientFirst());
    assertThatThrownBy(() -> server.evaluate(wrong.clientFinal(serverFirst)))
        .isInstanceOf(SaslAuthenticationException.class)
        .hasMessageContaining("invalid credentials");
    assertThat(server.isComplete()).isFalse();

    ScramServer other = new ScramServer(m, source(m, "alice", "alice-secret"));
    assertThatThrownBy(() -> other.evaluate(new ScramClient(m, "bob", "x").clientFirst()))
        .isInstanceOf(SaslAuthenticationException.class);

    ScramServer third = new ScramServer(m, source(m, "alice", "alice-secret"));
    ScramClient client = new ScramClient(m, "alice", "alice-secret");
    byte[] first = third.evaluate(client.clientFirst());
    String tampered =
        new String(client.clientFinal(first), StandardCharsets.UTF_8).replace(",r=", ",r=x");
    assertThatThrownBy(() -> third.evaluate(tampered.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SaslAuthenticationException.class);
  }

  /**
   * librdkafka before 2.6.1 (kcat of today's distributions) sends its nonce once more in front of
   * the combined one: that exact form authenticates, with the proof over the message as sent; any
   * other prefix is refused.
   */
  @ParameterizedTest
  @EnumSource(ScramMechanism.class)
  void librdkafkaRepeatedClientNonceIsAcceptedAndNoOtherPrefix(ScramMechanism m) {
    String clientNonce = "rdkafkaNonce0123456789";
    for (String prefix : new String[] {clientNonce, "x", clientNonce + "x"}) {
      ScramServer server = new ScramServer(m, source(m, "alice", "alice-secret"));
      String clientFirstBare = "n=alice,r=" + clientNonce;
      String serverFirst =
          new String(
              server.evaluate(("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8)),
              StandardCharsets.UTF_8);
      String combined = serverFirst.substring(2, serverFirst.indexOf(','));
      assertThat(combined).startsWith(clientNonce);
      String withoutProof = "c=biws,r=" + prefix + combined;
      byte[] clientFinal =
          (withoutProof + ",p=" + proof(m, clientFirstBare, serverFirst, withoutProof))
              .getBytes(StandardCharsets.UTF_8);
      if (prefix.equals(clientNonce)) {
        assertThat(new String(server.evaluate(clientFinal), StandardCharsets.UTF_8))
            .startsWith("v=");
        assertThat(server.isComplete()).isTrue();
      } else {
        assertThatThrownBy(() -> server.evaluate(clientFinal))
            .as(prefix)
            .isInstanceOf(SaslAuthenticationException.class)
            .hasMessage("Invalid SCRAM client final message");
      }
    }
  }

  /** The client proof for alice-secret over the given messages (RFC 5802 section 3). */
  private static String proof(
      ScramMechanism m, String clientFirstBare, String serverFirst, String withoutProof) {
    ScramCrypto crypto = new ScramCrypto(m);
    String salt = serverFirst.substring(serverFirst.indexOf(",s=") + 3, serverFirst.indexOf(",i="));
    byte[] salted =
        crypto.saltedPassword("alice-secret", java.util.Base64.getDecoder().decode(salt), 4096);
    byte[] clientKey = crypto.clientKey(salted);
    byte[] authMessage =
        (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
    byte[] signature = crypto.hmac(crypto.hash(clientKey), authMessage);
    return java.util.Base64.getEncoder().encodeToString(ScramCrypto.xor(clientKey, signature));
  }

  @ParameterizedTest
  @EnumSource(ScramMechanism.class)
  void malformedMessagesFailCleanly(ScramMechanism m) {
    for (String bad : new String[] {"", "p=tls,,n=a,r=b", "n,,", "n,,r=abc", "\u0000\u0001"}) {
      ScramServer server = new ScramServer(m, source(m, "alice", "alice-secret"));
      assertThatThrownBy(() -> server.evaluate(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(SaslAuthenticationException.class);
    }
  }
}
