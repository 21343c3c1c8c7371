package dev.ferry.http;

import java.util.Optional;

/**
 * Checks the credentials of HTTP Basic authentication (e.g. against the broker's SASL users), so an
 * HTTP service acts for the same principals as the Kafka listeners.
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * @return the principal name when {@code user} and {@code password} are valid, empty otherwise
   */
  Optional<String> authenticate(String user, String password);
}
