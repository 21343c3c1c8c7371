package dev.ferry.security.scram;

import dev.ferry.security.sasl.SaslServerMechanism;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.common.errors.SaslAuthenticationException;

/**
 * The server side of SCRAM (RFC 5802) as Kafka speaks it: client-first, server-first (nonce, salt,
 * iterations), client-final with the proof, server-final with the server's signature. No channel
 * binding; an authorization id, if given, must be the user itself.
 */
public final class ScramServer implements SaslServerMechanism {

  private enum State {
    RECEIVE_CLIENT_FIRST,
    RECEIVE_CLIENT_FINAL,
    COMPLETE,
    FAILED
  }

  private final ScramMechanism mechanism;
  private final ScramCrypto crypto;
  private final ScramCredentialSource credentials;
  private State state = State.RECEIVE_CLIENT_FIRST;
  private String userName;
  private String gs2Header;
  private String clientFirstBare;
  private String serverFirst;
  private String clientNonce;
  private String nonce;
  private ScramCredential credential;

  public ScramServer(ScramMechanism mechanism, ScramCredentialSource credentials) {
    this.mechanism = mechanism;
    this.crypto = new ScramCrypto(mechanism);
    this.credentials = credentials;
  }

  @Override
  public byte[] evaluate(byte[] clientMessage) {
    try {
      return switch (state) {
        case RECEIVE_CLIENT_FIRST -> clientFirst(new String(clientMessage, StandardCharsets.UTF_8));
        case RECEIVE_CLIENT_FINAL -> clientFinal(new String(clientMessage, StandardCharsets.UTF_8));
        default ->
            throw new SaslAuthenticationException("Unexpected SCRAM message in state " + state);
      };
    } catch (SaslAuthenticationException e) {
      state = State.FAILED;
      throw e;
    } catch (RuntimeException e) {
      state = State.FAILED;
      throw new SaslAuthenticationException("Malformed SCRAM message: " + e.getMessage());
    }
  }

  private byte[] clientFirst(String message) {
    // gs2-header: "n,," or "n,a=<authzid>," ; "y"/"p" (channel binding) are not supported.
    int first = message.indexOf(',');
    int second = first < 0 ? -1 : message.indexOf(',', first + 1);
    if (second < 0 || !message.startsWith("n,")) {
      throw new SaslAuthenticationException("Invalid SCRAM client first message");
    }
    gs2Header = message.substring(0, second + 1);
    String authzid = message.substring(first + 1, second);
    clientFirstBare = message.substring(second + 1);
    String user = null;
    String clientNonce = null;
    for (String attribute : clientFirstBare.split(",")) {
      if (attribute.startsWith("n=")) {
        user = ScramMessages.decodeName(attribute.substring(2));
      } else if (attribute.startsWith("r=")) {
        clientNonce = attribute.substring(2);
      }
    }
    if (user == null || clientNonce == null || clientNonce.isEmpty() || user.isEmpty()) {
      throw new SaslAuthenticationException("Invalid SCRAM client first message");
    }
    if (!authzid.isEmpty()
        && !(authzid.startsWith("a=")
            && ScramMessages.decodeName(authzid.substring(2)).equals(user))) {
      throw new SaslAuthenticationException(
          "Authentication failed: Client requested an authorization id that is different from"
              + " username");
    }
    Optional<ScramCredential> found = credentials.credential(user, mechanism);
    if (found.isEmpty()) {
      throw invalidCredentials();
    }
    userName = user;
    credential = found.get();
    this.clientNonce = clientNonce;
    nonce =
        clientNonce
            + Base64.getEncoder()
                .withoutPadding()
                .encodeToString(ScramCrypto.randomBytes(18))
                .replace('/', '-')
                .replace('+', '_');
    serverFirst =
        "r="
            + nonce
            + ",s="
            + Base64.getEncoder().encodeToString(credential.salt())
            + ",i="
            + credential.iterations();
    state = State.RECEIVE_CLIENT_FINAL;
    return serverFirst.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] clientFinal(String message) {
    int proofAt = message.lastIndexOf(",p=");
    if (proofAt < 0) {
      throw new SaslAuthenticationException("Invalid SCRAM client final message");
    }
    String withoutProof = message.substring(0, proofAt);
    byte[] proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
    String channelBinding = null;
    String finalNonce = null;
    for (String attribute : withoutProof.split(",")) {
      if (attribute.startsWith("c=")) {
        channelBinding = attribute.substring(2);
      } else if (attribute.startsWith("r=")) {
        finalNonce = attribute.substring(2);
      }
    }
    String expectedBinding =
        Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
    if (!expectedBinding.equals(channelBinding) || !echoesNonce(finalNonce)) {
      throw new SaslAuthenticationException("Invalid SCRAM client final message");
    }
    byte[] authMessage =
        (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
    byte[] clientSignature = crypto.hmac(credential.storedKey(), authMessage);
    if (proof.length != clientSignature.length) {
      throw invalidCredentials();
    }
    byte[] clientKey = ScramCrypto.xor(proof, clientSignature);
    if (!MessageDigest.isEqual(crypto.hash(clientKey), credential.storedKey())) {
      throw invalidCredentials();
    }
    byte[] serverSignature = crypto.hmac(credential.serverKey(), authMessage);
    state = State.COMPLETE;
    return ("v=" + Base64.getEncoder().encodeToString(serverSignature))
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Whether the client-final nonce is the combined nonce of our server-first message (RFC 5802).
   * librdkafka before 2.6.1 (librdkafka#4895; kcat and the librdkafka of today's Linux
   * distributions) sends its own nonce once more in front of it. Kafka 3.8.1 to 3.9 accepted any
   * prefix, Kafka 4 accepts none; Ferry accepts exactly that one form so those clients work: the
   * server's fresh part is still echoed, so the exchange stays bound to this server-first message,
   * and the proof covers the nonce as sent.
   */
  private boolean echoesNonce(String finalNonce) {
    return nonce.equals(finalNonce) || (clientNonce + nonce).equals(finalNonce);
  }

  private SaslAuthenticationException invalidCredentials() {
    return new SaslAuthenticationException(
        "Authentication failed during authentication due to invalid credentials with SASL"
            + " mechanism "
            + mechanism.mechanismName());
  }

  @Override
  public boolean isComplete() {
    return state == State.COMPLETE;
  }

  @Override
  public String userName() {
    return userName;
  }
}
