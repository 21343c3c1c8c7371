package dev.ferry.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * Who is on the other end of one connection, and the requests that establish it (SASL). Sees every
 * request of its connection before the broker does, on the connection's processor thread.
 */
public interface ConnectionAuthenticator {

  /**
   * Takes a request that belongs to authentication, or refuses one that may not run yet.
   *
   * @return null to pass the request to the broker (as {@link #principal()}); else the answer,
   *     which may complete with a {@link CloseConnectionException} to close the connection after
   *     the responses before it
   */
  CompletableFuture<AbstractResponse> intercept(NetworkRequest request);

  /** The authenticated principal; {@code User:ANONYMOUS} before (or without) authentication. */
  KafkaPrincipal principal();

  /**
   * Whether authentication failed: the connection reads no further request and closes once the
   * answers owed (the failure's own included) are written.
   */
  default boolean failed() {
    return false;
  }

  /** Authenticates nobody: every request passes, as {@code User:ANONYMOUS}. */
  ConnectionAuthenticator ANONYMOUS =
      new ConnectionAuthenticator() {
        @Override
        public CompletableFuture<AbstractResponse> intercept(NetworkRequest request) {
          return null;
        }

        @Override
        public KafkaPrincipal principal() {
          return KafkaPrincipal.ANONYMOUS;
        }
      };
}
