package dev.ferry.security.ssl;

import dev.ferry.network.ConnectionAuthenticator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.network.TransportLayer;
import java.security.Principal;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * An SSL listener's principal: {@code User:<name>} from the client certificate's distinguished name
 * through {@code ssl.principal.mapping.rules}, or {@code User:ANONYMOUS} without a certificate (as
 * Kafka's default principal builder).
 */
public final class SslAuthenticator implements ConnectionAuthenticator {

  private final TransportLayer transport;
  private final SslPrincipalMapper mapper;
  private KafkaPrincipal principal;

  public SslAuthenticator(TransportLayer transport, SslPrincipalMapper mapper) {
    this.transport = transport;
    this.mapper = mapper;
  }

  @Override
  public CompletableFuture<AbstractResponse> intercept(NetworkRequest request) {
    return null;
  }

  @Override
  public KafkaPrincipal principal() {
    if (principal == null) {
      principal = principalOf(transport.sslSession(), mapper);
    }
    return principal;
  }

  static KafkaPrincipal principalOf(SSLSession session, SslPrincipalMapper mapper) {
    if (session == null) {
      return KafkaPrincipal.ANONYMOUS;
    }
    try {
      Principal peer = session.getPeerPrincipal();
      String name =
          peer instanceof X500Principal x500 ? mapper.userName(x500.getName()) : peer.getName();
      return new KafkaPrincipal(KafkaPrincipal.USER_TYPE, name);
    } catch (SSLPeerUnverifiedException e) {
      return KafkaPrincipal.ANONYMOUS;
    }
  }
}
