package dev.ferry.security;

import dev.ferry.security.scram.ScramCredential;
import dev.ferry.security.scram.ScramCrypto;
import dev.ferry.security.scram.ScramMechanism;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a user name and password the way a SASL listener would accept them (PLAIN users of its
 * JAAS entry, SCRAM credentials of the store, whichever mechanisms the listener enables), for
 * services in the broker that take passwords over HTTP Basic authentication (schema registry,
 * console): they then know the same users as the Kafka listeners.
 */
public final class PasswordVerifier {

  private final List<String> mechanisms;
  private final Map<String, String> plainUsers;
  private final BrokerSecurity security;

  private PasswordVerifier(
      List<String> mechanisms, Map<String, String> plainUsers, BrokerSecurity security) {
    this.mechanisms = mechanisms;
    this.plainUsers = plainUsers;
    this.security = security;
  }

  /** The verifier of listener {@code listenerName}'s SASL settings. */
  public static PasswordVerifier forListener(BrokerSecurity security, String listenerName) {
    ListenerSettings settings = security.settings(listenerName);
    List<String> mechanisms =
        settings.list("sasl.enabled.mechanisms", "GSSAPI").stream()
            .map(m -> m.trim().toUpperCase(Locale.ROOT))
            .toList();
    Map<String, String> plain =
        mechanisms.contains("PLAIN") ? settings.jaasOptions("PLAIN").orElse(Map.of()) : Map.of();
    return new PasswordVerifier(mechanisms, plain, security);
  }

  /**
   * @return the principal name ({@code User:} stripped) when the password is valid for the user
   *     under one of the listener's mechanisms
   */
  public Optional<String> verify(String user, String password) {
    if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
      return Optional.empty();
    }
    String expected = plainUsers.get("user_" + user);
    if (expected != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(user);
    }
    for (String name : mechanisms) {
      Optional<ScramMechanism> mechanism = ScramMechanism.forName(name);
      if (mechanism.isEmpty() || security.scram() == null) {
        continue;
      }
      Optional<ScramCredential> credential = security.scram().credential(user, mechanism.get());
      if (credential.isPresent()) {
        ScramCredential c = credential.get();
        ScramCrypto crypto = new ScramCrypto(mechanism.get());
        byte[] clientKey =
            crypto.clientKey(crypto.saltedPassword(password, c.salt(), c.iterations()));
        if (MessageDigest.isEqual(crypto.hash(clientKey), c.storedKey())) {
          return Optional.of(user);
        }
      }
    }
    return Optional.empty();
  }
}
