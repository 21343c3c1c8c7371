package dev.ferry.security.sasl;

import org.apache.kafka.common.errors.SaslAuthenticationException;

/**
 * The server side of one SASL exchange on one connection: each client message in, the server's
 * message out, until {@link #isComplete()}.
 */
public interface SaslServerMechanism {

  /**
   * Evaluates the client's next message.
   *
   * @return the server's answer (possibly empty)
   * @throws SaslAuthenticationException if the client failed to authenticate; its message goes to
   *     the client and must not reveal whether the user exists
   */
  byte[] evaluate(byte[] clientMessage);

  boolean isComplete();

  /** The authenticated user name, once complete. */
  String userName();
}
