package dev.ferry.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What a handler answers: status, content type, body and extra headers. */
public record HttpResponse(
    int status, String contentType, byte[] body, Map<String, String> headers) {

  public static HttpResponse of(int status, String contentType, byte[] body) {
    return new HttpResponse(status, contentType, body, Map.of());
  }

  public static HttpResponse text(int status, String contentType, String body) {
    return of(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }
}
