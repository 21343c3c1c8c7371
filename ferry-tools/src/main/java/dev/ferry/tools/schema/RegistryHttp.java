package dev.ferry.tools.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.tools.common.CliException;
import dev.ferry.tools.common.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A small client of the Confluent Schema Registry REST API (Ferry's built-in registry or any
 * other): JSON in and out, registry errors turned into one-line CLI errors with their code.
 */
final class RegistryHttp {

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String authorization;

  RegistryHttp(String url, String userInfo) {
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.authorization =
        userInfo == null
            ? null
            : "Basic "
                + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
    return send("POST", path, body);
  }

  private JsonNode send(String method, String path, JsonNode body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", CONTENT_TYPE)
            .header("Content-Type", CONTENT_TYPE)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.toString()));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CliException("cannot reach the schema registry at " + base + ": " + e);
    }
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new CliException("HTTP " + r.statusCode() + " from " + base + path + ": " + r.body());
    }
    if (r.statusCode() >= 300) {
      String message = json.path("message").asText(r.body());
      int code = json.path("error_code").asInt(r.statusCode());
      throw new CliException(message + " (error code " + code + ")");
    }
    return json;
  }
}
