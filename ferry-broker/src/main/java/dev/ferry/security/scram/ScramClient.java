package dev.ferry.security.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.apache.kafka.common.errors.SaslAuthenticationException;

/** The client side of SCRAM, for the broker's own connections to other brokers. */
public final class ScramClient {

  private final ScramCrypto crypto;
  private final String user;
  private final String password;
  private final String clientNonce;
  private String clientFirstBare;
  private byte[] expectedServerSignature;

  public ScramClient(ScramMechanism mechanism, String user, String password) {
    this.crypto = new ScramCrypto(mechanism);
    this.user = user;
    this.password = password;
    this.clientNonce =
        Base64.getEncoder()
            .withoutPadding()
            .encodeToString(ScramCrypto.randomBytes(18))
            .replace('/', '-')
            .replace('+', '_');
  }

  public byte[] clientFirst() {
    clientFirstBare = "n=" + ScramMessages.encodeName(user) + ",r=" + clientNonce;
    return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
  }

  public byte[] clientFinal(byte[] serverFirstBytes) {
    String serverFirst = new String(serverFirstBytes, StandardCharsets.UTF_8);
    String nonce = null;
    byte[] salt = null;
    int iterations = 0;
    for (String attribute : serverFirst.split(",")) {
      if (attribute.startsWith("r=")) {
        nonce = attribute.substring(2);
      } else if (attribute.startsWith("s=")) {
        salt = Base64.getDecoder().decode(attribute.substring(2));
      } else if (attribute.startsWith("i=")) {
        iterations = Integer.parseInt(attribute.substring(2));
      }
    }
    if (nonce == null || !nonce.startsWith(clientNonce) || salt == null || iterations < 1) {
      throw new SaslAuthenticationException("Invalid SCRAM server first message");
    }
    String withoutProof = "c=biws,r=" + nonce;
    byte[] authMessage =
        (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
    byte[] saltedPassword = crypto.saltedPassword(password, salt, iterations);
    byte[] clientKey = crypto.clientKey(saltedPassword);
    byte[] clientSignature = crypto.hmac(crypto.hash(clientKey), authMessage);
    byte[] proof = ScramCrypto.xor(clientKey, clientSignature);
    expectedServerSignature = crypto.hmac(crypto.serverKey(saltedPassword), authMessage);
    return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Checks the server's signature: the server knew the credential too. */
  public void verifyServerFinal(byte[] serverFinalBytes) {
    String serverFinal = new String(serverFinalBytes, StandardCharsets.UTF_8);
    if (!serverFinal.startsWith("v=")
        || !MessageDigest.isEqual(
            Base64.getDecoder().decode(serverFinal.substring(2)), expectedServerSignature)) {
      throw new SaslAuthenticationException("Invalid SCRAM server signature");
    }
  }
}
