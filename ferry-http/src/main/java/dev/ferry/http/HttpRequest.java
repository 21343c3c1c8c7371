package dev.ferry.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request as a handler sees it: the path already split into decoded segments and matched
 * against the route (its {@code {name}} parts in {@code pathParams}), the body read in full (and
 * bounded by the server's limit).
 *
 * @param principal who sent it, when the server authenticates; null otherwise
 */
public record HttpRequest(
    String method,
    List<String> path,
    Map<String, String> pathParams,
    Map<String, String> query,
    Map<String, List<String>> headers,
    byte[] body,
    String principal) {

  public String pathParam(String name) {
    return pathParams.get(name);
  }

  public Optional<String> queryParam(String name) {
    return Optional.ofNullable(query.get(name));
  }

  /** A boolean query parameter: present as {@code true} (any case). */
  public boolean flag(String name) {
    return "true".equalsIgnoreCase(query.get(name));
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The first value of a header, by case-insensitive name. */
  public Optional<String> header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return Optional.of(e.getValue().get(0));
      }
    }
    return Optional.empty();
  }
}
