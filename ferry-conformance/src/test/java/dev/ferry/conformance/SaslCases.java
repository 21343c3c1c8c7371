package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;

/**
 * SASL on a SASL_PLAINTEXT listener, each case on a connection of its own: the handshake (enabled
 * mechanisms, an unknown mechanism, a second handshake), PLAIN (good, wrong password, unknown user,
 * malformed token), SCRAM-SHA-256/512 (the full exchange computed per side from its own
 * server-first message; wrong password; unknown user), requests before or instead of the handshake,
 * and what an authenticated or a failed connection may do next.
 */
final class SaslCases {

  /** A SCRAM user made on both sides before the cases run ({@link #SCRAM_PASSWORD}). */
  static final String SCRAM_USER = "conf-scram-user";

  static final String SCRAM_PASSWORD = "conf-scram-secret";

  /** The client nonce of every SCRAM case: fixed, so client messages are equal on both sides. */
  private static final String CLIENT_NONCE = "conformanceclientnonce0123456789";

  private SaslCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.SASL_HANDSHAKE,
            "enabled-mechanisms",
            handshake("PLAIN").onNewSasl(),
            // After a v1 handshake the client sends SaslAuthenticate; a second handshake is not.
            handshake("PLAIN").onSasl()));
    c.add(
        Case.of(
            ApiKeys.SASL_HANDSHAKE,
            "unknown-mechanism",
            handshake("GSSAPI").onNewSasl(),
            metadata().onSasl()));
    c.add(
        Case.of(
            ApiKeys.SASL_HANDSHAKE,
            "api-versions-first",
            Exchange.of(
                    ApiKeys.API_VERSIONS,
                    (s, v) ->
                        new ApiVersionsRequestData()
                            .setClientSoftwareName("ferry-conformance")
                            .setClientSoftwareVersion("1"))
                .onNewSasl(),
            handshake("PLAIN").onSasl()));
    c.add(
        Case.of(
            ApiKeys.SASL_HANDSHAKE,
            "request-before-handshake",
            metadata().onNewSasl(),
            handshake("PLAIN").onSasl()));
    c.add(
        Case.of(
            ApiKeys.SASL_AUTHENTICATE,
            "authenticate-before-handshake",
            authenticate((s, v) -> SecurityAdminCases.plain("plain-user1", "plain-user1-secret"))
                .onNewSasl()));
    c.add(plain("plain-good", PlainLogin.USER.user(), PlainLogin.USER.password()));
    c.add(plain("plain-wrong-password", PlainLogin.USER.user(), "wrong"));
    c.add(plain("plain-unknown-user", "conf-nobody", "whatever"));
    c.add(
        Case.of(
            ApiKeys.SASL_AUTHENTICATE,
            "plain-malformed-token",
            handshakeAtHighest("PLAIN").onNewSasl().uncompared(),
            authenticate((s, v) -> "no separators".getBytes(StandardCharsets.UTF_8)).onSasl(),
            metadata().onSasl()));
    for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
      c.add(scram(mechanism, SCRAM_USER, SCRAM_PASSWORD, mechanism.toLowerCase() + "-good"));
    }
    c.add(scram("SCRAM-SHA-256", SCRAM_USER, "wrong", "scram-wrong-password"));
    c.add(
        Case.of(
            ApiKeys.SASL_AUTHENTICATE,
            "scram-unknown-user",
            handshakeAtHighest("SCRAM-SHA-256").onNewSasl().uncompared(),
            authenticate((s, v) -> clientFirst("conf-nobody").toBytes()).onSasl(),
            metadata().onSasl()));
    return c;
  }

  private static Exchange handshake(String mechanism) {
    return Exchange.of(
        ApiKeys.SASL_HANDSHAKE, (s, v) -> new SaslHandshakeRequestData().setMechanism(mechanism));
  }

  /**
   * A handshake at v1, whatever the case's version: after a v0 handshake the client would send raw
   * SASL tokens, not SaslAuthenticate requests.
   */
  private static Exchange handshakeAtHighest(String mechanism) {
    return handshake(mechanism);
  }

  private static Exchange authenticate(TokenFactory token) {
    return Exchange.of(
        ApiKeys.SASL_AUTHENTICATE,
        (s, v) -> new SaslAuthenticateRequestData().setAuthBytes(token.bytes(s, v)));
  }

  /** What a connection may do after its authentication: a metadata request for no topics. */
  private static Exchange metadata() {
    return Exchange.of(ApiKeys.METADATA, (s, v) -> new MetadataRequestData().setTopics(List.of()));
  }

  private static Case plain(String name, String user, String password) {
    return Case.of(
        ApiKeys.SASL_AUTHENTICATE,
        name,
        handshakeAtHighest("PLAIN").onNewSasl().uncompared(),
        authenticate((s, v) -> SecurityAdminCases.plain(user, password)).onSasl(),
        metadata().onSasl());
  }

  private static Case scram(String mechanism, String user, String password, String name) {
    return Case.of(
        ApiKeys.SASL_AUTHENTICATE,
        name,
        handshakeAtHighest(mechanism).onNewSasl().uncompared(),
        authenticate((s, v) -> clientFirst(user).toBytes())
            .onSasl()
            .then((s, r) -> s.remember("server-first", authBytes(r))),
        authenticate((s, v) -> clientFinal(s, mechanism, user, password)).onSasl(),
        metadata().onSasl());
  }

  private static byte[] authBytes(org.apache.kafka.common.requests.AbstractResponse r) {
    return ((SaslAuthenticateResponseData) r.data()).authBytes();
  }

  private static ClientFirstMessage clientFirst(String user) {
    return new ClientFirstMessage(ScramFormatter.saslName(user), CLIENT_NONCE, Map.of());
  }

  /** The client-final message for this side's server-first message (its nonce, salt, count). */
  private static byte[] clientFinal(SideContext s, String mechanism, String user, String password) {
    try {
      ServerFirstMessage serverFirst =
          new ServerFirstMessage(s.recall("server-first", new byte[0]));
      ClientFirstMessage clientFirst = clientFirst(user);
      ScramFormatter formatter = new ScramFormatter(ScramMechanism.forMechanismName(mechanism));
      ClientFinalMessage clientFinal =
          new ClientFinalMessage(
              ScramFormatter.toBytes(clientFirst.gs2Header()), serverFirst.nonce());
      byte[] salted =
          formatter.saltedPassword(password, serverFirst.salt(), serverFirst.iterations());
      clientFinal.proof(formatter.clientProof(salted, clientFirst, serverFirst, clientFinal));
      return clientFinal.toBytes();
    } catch (SaslException notServerFirst) {
      // The server refused the first message: send something it will refuse too.
      return "c=biws,r=none,p=none".getBytes(StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether a full SCRAM login of {@link #SCRAM_USER} succeeds on a new connection to the side's
   * first node: Kafka applies credentials through its controller, after it answered the upsert.
   */
  static boolean scramLoginWorks(BrokerUnderTest side, String mechanism) {
    BrokerUnderTest.Node node = side.nodes().get(0);
    try (WireConnection c = new WireConnection(node.host(), node.port())) {
      c.send(Requests.of(new SaslHandshakeRequestData().setMechanism(mechanism), (short) 1));
      SaslAuthenticateResponseData first =
          (SaslAuthenticateResponseData)
              c.send(
                      Requests.of(
                          new SaslAuthenticateRequestData()
                              .setAuthBytes(clientFirst(SCRAM_USER).toBytes()),
                          (short) 2))
                  .data();
      if (first.errorCode() != 0) {
        return false;
      }
      SideContext scratch = new SideContext(side);
      scratch.remember("server-first", first.authBytes());
      SaslAuthenticateResponseData last =
          (SaslAuthenticateResponseData)
              c.send(
                      Requests.of(
                          new SaslAuthenticateRequestData()
                              .setAuthBytes(
                                  clientFinal(scratch, mechanism, SCRAM_USER, SCRAM_PASSWORD)),
                          (short) 2))
                  .data();
      return last.errorCode() == 0;
    } catch (java.io.IOException closed) {
      return false;
    }
  }

  /** The token of a SaslAuthenticate request, per side and version. */
  interface TokenFactory {
    byte[] bytes(SideContext side, short version);
  }
}
