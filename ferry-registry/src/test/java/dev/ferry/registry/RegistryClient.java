package dev.ferry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A bare HTTP client for the registry's REST API in tests: status and parsed body. */
final class RegistryClient {

  static final ObjectMapper JSON = new ObjectMapper();

  record Reply(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    int errorCode() {
      return json().path("error_code").asInt();
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String authorization;

  RegistryClient(String base) {
    this(base, null);
  }

  /** A client sending HTTP Basic credentials {@code user:password} (null: none). */
  RegistryClient(String base, String userInfo) {
    this.base = base;
    this.authorization =
        userInfo == null
            ? null
            : "Basic " + java.util.Base64.getEncoder().encodeToString(userInfo.getBytes());
  }

  Reply get(String path) {
    return send("GET", path, null);
  }

  Reply delete(String path) {
    return send("DELETE", path, null);
  }

  Reply post(String path, String body) {
    return send("POST", path, body);
  }

  Reply put(String path, String body) {
    return send("PUT", path, body);
  }

  Reply send(String method, String path, String body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/vnd.schemaregistry.v1+json")
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
  }

  /** A registration body for {@code schema} of {@code type} (null: Avro). */
  static String body(String schema, String type) {
    var node = JSON.createObjectNode().put("schema", schema);
    if (type != null) {
      node.put("schemaType", type);
    }
    return node.toString();
  }
}
