package dev.ferry.console.kafka;

import dev.ferry.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The user name and password a request signed in with (HTTP Basic), passed on to the console's
 * Kafka clients so the broker authorizes them as that user. The HTTP server has already checked
 * them before any handler runs.
 */
public record Credentials(String user, String password) {

  /** The request's Basic credentials, if it carries any. */
  public static Optional<Credentials> of(HttpRequest request) {
    Optional<String> header = request.header("Authorization");
    if (header.isEmpty() || !header.get().regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    try {
      String decoded =
          new String(
              Base64.getDecoder().decode(header.get().substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon <= 0
          ? Optional.empty()
          : Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The {@code Authorization} header value that carries these credentials. */
  public String basicHeader() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credentials[" + user + "]"; // never the password in logs
  }
}
