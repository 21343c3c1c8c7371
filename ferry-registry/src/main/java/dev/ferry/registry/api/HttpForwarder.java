package dev.ferry.registry.api;

import dev.ferry.http.HttpRequest;
import dev.ferry.http.HttpResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Forwards a write to the writer's registry over HTTP (the JDK client), with the caller's
 * credentials, and relays status and body: Confluent's behaviour for writes that reach a follower.
 */
public final class HttpForwarder implements RegistryApi.Forwarder {

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Duration timeout;

  public HttpForwarder(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public HttpResponse forward(HttpRequest req, String writerUrl) {
    StringBuilder path = new StringBuilder();
    for (String segment : req.path()) {
      path.append('/')
          .append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    String query =
        req.query().entrySet().stream()
            .map(
                (Map.Entry<String, String> e) ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    URI uri =
        URI.create(
            writerUrl + (path.length() == 0 ? "/" : path) + (query.isEmpty() ? "" : "?" + query));
    java.net.http.HttpRequest.Builder out =
        java.net.http.HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", RegistryApi.CONTENT_TYPE)
            .method(req.method(), java.net.http.HttpRequest.BodyPublishers.ofByteArray(req.body()));
    req.header("Authorization").ifPresent(a -> out.header("Authorization", a));
    try {
      java.net.http.HttpResponse<byte[]> in =
          client.send(out.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      return HttpResponse.of(
          in.statusCode(),
          in.headers().firstValue("Content-Type").orElse(RegistryApi.CONTENT_TYPE),
          in.body());
    } catch (IOException e) {
      throw RegistryErrors.forwardingFailed(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryErrors.forwardingFailed("interrupted");
    }
  }
}
