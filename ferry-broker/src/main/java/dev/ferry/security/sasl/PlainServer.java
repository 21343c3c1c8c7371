package dev.ferry.security.sasl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.apache.kafka.common.errors.SaslAuthenticationException;

/**
 * SASL PLAIN (RFC 4616): one message {@code authzid NUL user NUL password}, checked against the
 * {@code user_<name>="<password>"} options of the listener's PlainLoginModule entry, as Kafka's
 * default PLAIN callback handler does.
 */
public final class PlainServer implements SaslServerMechanism {

  private final Map<String, String> options;
  private String userName;
  private boolean complete;

  public PlainServer(Map<String, String> jaasOptions) {
    this.options = jaasOptions;
  }

  @Override
  public byte[] evaluate(byte[] clientMessage) {
    if (complete) {
      throw new SaslAuthenticationException("PLAIN authentication already complete");
    }
    String message = new String(clientMessage, StandardCharsets.UTF_8);
    int first = message.indexOf('\0');
    int second = first < 0 ? -1 : message.indexOf('\0', first + 1);
    if (second < 0 || message.indexOf('\0', second + 1) >= 0) {
      throw new SaslAuthenticationException("Invalid SASL/PLAIN response: expected 3 tokens");
    }
    String authzid = message.substring(0, first);
    String user = message.substring(first + 1, second);
    String password = message.substring(second + 1);
    if (user.isEmpty()) {
      throw new SaslAuthenticationException("Authentication failed: username not specified");
    }
    if (password.isEmpty()) {
      throw new SaslAuthenticationException("Authentication failed: password not specified");
    }
    String expected = options.get("user_" + user);
    if (expected == null
        || !MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8))) {
      throw new SaslAuthenticationException("Authentication failed: Invalid username or password");
    }
    if (!authzid.isEmpty() && !authzid.equals(user)) {
      throw new SaslAuthenticationException(
          "Authentication failed: Client requested an authorization id that is different from"
              + " username");
    }
    userName = user;
    complete = true;
    return new byte[0];
  }

  @Override
  public boolean isComplete() {
    return complete;
  }

  @Override
  public String userName() {
    return userName;
  }
}
