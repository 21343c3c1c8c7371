package dev.ferry.security.sasl;

import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;

/**
 * SaslHandshake and SaslAuthenticate as the broker sees them: on a SASL listener the connection's
 * {@link SaslAuthenticator} answers them, so a request reaching the broker came on a listener
 * without SASL (or out of turn) and is answered ILLEGAL_SASL_STATE, as Kafka does. Registered so
 * that ApiVersions advertises both APIs.
 */
public final class SaslApiHandlers {

  private SaslApiHandlers() {}

  public static List<ApiHandler<?>> handlers() {
    return List.of(new Handshake(), new Authenticate());
  }

  private static final class Handshake extends ApiHandler<SaslHandshakeRequest> {
    Handshake() {
      super(ApiKeys.SASL_HANDSHAKE, SaslHandshakeRequest.class);
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, SaslHandshakeRequest body) {
      return CompletableFuture.completedFuture(
          new SaslHandshakeResponse(
              new SaslHandshakeResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code())));
    }
  }

  private static final class Authenticate extends ApiHandler<SaslAuthenticateRequest> {
    Authenticate() {
      super(ApiKeys.SASL_AUTHENTICATE, SaslAuthenticateRequest.class);
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, SaslAuthenticateRequest body) {
      return CompletableFuture.completedFuture(
          new SaslAuthenticateResponse(
              new SaslAuthenticateResponseData()
                  .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                  .setErrorMessage("SaslAuthenticate outside of a SASL authentication")));
    }
  }
}
