package dev.ferry.security.sasl;

import dev.ferry.network.CloseConnectionException;
import dev.ferry.network.ConnectionAuthenticator;
import dev.ferry.network.NetworkRequest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SASL state machine of one connection (KIP-152 framing): ApiVersions may come first, then
 * SaslHandshake picks a mechanism and SaslAuthenticate requests carry its messages. No other
 * request runs before authentication completes: it closes the connection. A failed authentication
 * is answered after {@code connection.failed.authentication.delay.ms}, then the connection closes.
 *
 * <p>Re-authentication (KIP-368): with {@code connections.max.reauth.ms} set, the session's
 * lifetime goes to the client in SaslAuthenticate; the client re-authenticates on the same
 * connection before it ends, as the same principal. A request after the end closes the connection.
 */
public final class SaslAuthenticator implements ConnectionAuthenticator {

  private static final Logger log = LoggerFactory.getLogger(SaslAuthenticator.class);

  private enum State {
    HANDSHAKE_OR_VERSIONS,
    AUTHENTICATE,
    COMPLETE,
    FAILED
  }

  /** What every connection of one SASL listener shares. */
  public record Settings(
      List<String> enabledMechanisms,
      Function<String, Optional<SaslServerMechanism>> mechanisms,
      long reauthMs,
      long failedAuthenticationDelayMs,
      Executor delayedExecutor,
      AuthenticationListener listener,
      LongSupplier nanoClock) {}

  /** Counts outcomes (metrics). */
  public interface AuthenticationListener {
    void succeeded(boolean reauthentication);

    void failed();

    AuthenticationListener NONE =
        new AuthenticationListener() {
          @Override
          public void succeeded(boolean reauthentication) {}

          @Override
          public void failed() {}
        };
  }

  private final Settings settings;
  private State state = State.HANDSHAKE_OR_VERSIONS;

  /**
   * The client chose its mechanism with a v0 handshake: it would send raw SASL tokens next, not
   * SaslAuthenticate requests (Ferry does not read unframed tokens; such a client is refused).
   */
  private boolean rawTokens;

  private SaslServerMechanism mechanism;
  private String mechanismName;
  private KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;
  private boolean authenticatedOnce;
  private long sessionExpiryNanos = Long.MAX_VALUE;
  private boolean failed;

  public SaslAuthenticator(Settings settings) {
    this.settings = settings;
  }

  @Override
  public KafkaPrincipal principal() {
    return principal;
  }

  @Override
  public boolean failed() {
    return failed;
  }

  @Override
  public CompletableFuture<AbstractResponse> intercept(NetworkRequest request) {
    ApiKeys api = request.header().apiKey();
    if (state == State.COMPLETE) {
      if (api == ApiKeys.SASL_HANDSHAKE) {
        return handshake(request);
      }
      if (settings.nanoClock().getAsLong() - sessionExpiryNanos > 0) {
        log.info(
            "Closing connection {} of {}: its SASL session expired (connections.max.reauth.ms)"
                + " before it re-authenticated",
            request.connectionId(),
            principal);
        return CompletableFuture.failedFuture(new CloseConnectionException("SASL session expired"));
      }
      return null;
    }
    if (api == ApiKeys.API_VERSIONS && state == State.HANDSHAKE_OR_VERSIONS) {
      return null;
    }
    if (api == ApiKeys.SASL_HANDSHAKE
        && (state == State.HANDSHAKE_OR_VERSIONS || state == State.AUTHENTICATE)
        && mechanism == null) {
      return handshake(request);
    }
    if (api == ApiKeys.SASL_AUTHENTICATE && state == State.AUTHENTICATE) {
      return authenticate(request);
    }
    if (state == State.AUTHENTICATE && !rawTokens) {
      // As Kafka: once a mechanism is chosen only SaslAuthenticate may come; anything else is
      // answered ILLEGAL_SASL_STATE (in its own response format) and the connection closes.
      // (After a v0 handshake Kafka reads the next frame as a raw SASL token, which a Kafka
      // request is not: it closes without an answer, as below.)
      log.info(
          "Failed authentication with {}: unexpected {} request during SASL authentication",
          request.clientAddress(),
          api);
      AbstractResponse illegalState =
          illegalStateResponse(
              request,
              new IllegalSaslStateException(
                  "Unexpected Kafka request of type " + api + " during SASL authentication"));
      if (illegalState != null) {
        return fail(illegalState);
      }
    }
    log.info(
        "Closing connection {} from {}: unexpected {} request before SASL authentication completed",
        request.connectionId(),
        request.clientAddress(),
        api);
    failed = true;
    state = State.FAILED;
    settings.listener().failed();
    return CompletableFuture.failedFuture(
        new CloseConnectionException(
            "Unexpected Kafka request of type " + api + " during SASL handshake"));
  }

  private CompletableFuture<AbstractResponse> handshake(NetworkRequest request) {
    SaslHandshakeRequest handshake = (SaslHandshakeRequest) request.body();
    String name = handshake.data().mechanism();
    SaslHandshakeResponseData data =
        new SaslHandshakeResponseData().setMechanisms(settings.enabledMechanisms());
    Optional<SaslServerMechanism> server =
        settings.enabledMechanisms().contains(name)
            ? settings.mechanisms().apply(name)
            : Optional.empty();
    boolean reauthentication = state == State.COMPLETE;
    if (server.isEmpty() || (reauthentication && !name.equals(mechanismName))) {
      log.info(
          "Failed authentication with {} (Unsupported SASL mechanism {}); enabled: {}",
          request.clientAddress(),
          printable(name),
          settings.enabledMechanisms());
      return fail(
          new SaslHandshakeResponse(data.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code())));
    }
    mechanism = server.get();
    mechanismName = name;
    rawTokens = request.header().apiVersion() == 0;
    state = State.AUTHENTICATE;
    return CompletableFuture.completedFuture(
        new SaslHandshakeResponse(data.setErrorCode(Errors.NONE.code())));
  }

  private CompletableFuture<AbstractResponse> authenticate(NetworkRequest request) {
    SaslAuthenticateRequest authenticate = (SaslAuthenticateRequest) request.body();
    byte[] answer;
    try {
      answer = mechanism.evaluate(authenticate.data().authBytes());
    } catch (SaslAuthenticationException e) {
      log.info("Failed authentication with {} ({})", request.clientAddress(), e.getMessage());
      return fail(
          new SaslAuthenticateResponse(
              new SaslAuthenticateResponseData()
                  .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                  .setErrorMessage(e.getMessage())));
    }
    SaslAuthenticateResponseData data =
        new SaslAuthenticateResponseData().setErrorCode(Errors.NONE.code()).setAuthBytes(answer);
    if (mechanism.isComplete()) {
      KafkaPrincipal authenticated =
          new KafkaPrincipal(KafkaPrincipal.USER_TYPE, mechanism.userName());
      boolean reauthentication = authenticatedOnce;
      if (reauthentication && !authenticated.equals(principal)) {
        log.info(
            "Failed re-authentication with {}: {} tried to become {}",
            request.clientAddress(),
            principal,
            authenticated);
        return fail(
            new SaslAuthenticateResponse(
                new SaslAuthenticateResponseData()
                    .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                    .setErrorMessage("Cannot change principals during re-authentication")));
      }
      principal = authenticated;
      authenticatedOnce = true;
      state = State.COMPLETE;
      mechanism = null;
      if (settings.reauthMs() > 0) {
        sessionExpiryNanos =
            settings.nanoClock().getAsLong() + TimeUnit.MILLISECONDS.toNanos(settings.reauthMs());
        data.setSessionLifetimeMs(settings.reauthMs());
      }
      settings.listener().succeeded(reauthentication);
      log.debug("{} authenticated with {} on {}", principal, mechanismName, request.connectionId());
    }
    return CompletableFuture.completedFuture(new SaslAuthenticateResponse(data));
  }

  /** A client-chosen string as a log can safely show it: printable ASCII, at most 64 chars. */
  private static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }

  /** Answers after the failed-authentication delay; the connection closes after the answer. */
  /**
   * The request type's own error response, or null when a malformed body cannot produce one (a
   * produce whose topic names did not parse, say): such a connection is closed without an answer,
   * as Kafka does when building that response throws.
   */
  private static AbstractResponse illegalStateResponse(
      NetworkRequest request, IllegalSaslStateException error) {
    try {
      return request.body().getErrorResponse(0, error);
    } catch (RuntimeException e) {
      log.info(
          "Cannot answer the unexpected {} request from {} with ILLEGAL_SASL_STATE ({}); closing"
              + " without an answer",
          request.header().apiKey(),
          request.clientAddress(),
          e.toString());
      return null;
    }
  }

  private CompletableFuture<AbstractResponse> fail(AbstractResponse response) {
    failed = true;
    state = State.FAILED;
    settings.listener().failed();
    long delay = settings.failedAuthenticationDelayMs();
    if (delay <= 0) {
      return CompletableFuture.completedFuture(response);
    }
    return CompletableFuture.supplyAsync(
        () -> response,
        CompletableFuture.delayedExecutor(
            delay, TimeUnit.MILLISECONDS, settings.delayedExecutor()));
  }
}
