package dev.ferry.console.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.console.kafka.Credentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads schemas by id from a Confluent-compatible registry ({@code GET /schemas/ids/{id}}), with
 * the signed-in user's Basic credentials. A schema id never changes its schema, so found schemas
 * are kept (bounded); misses are not, so a schema registered later is found on the next look.
 */
public final class RegistrySchemaLookup implements SchemaLookup {

  private static final Logger log = LoggerFactory.getLogger(RegistrySchemaLookup.class);
  private static final int MAX_CACHED = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final HttpClient http;
  private final Duration timeout;
  private final Map<Integer, RegisteredSchema> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, RegisteredSchema> eldest) {
          return size() > MAX_CACHED;
        }
      };

  public RegistrySchemaLookup(String baseUrl, Duration timeout) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public Optional<RegisteredSchema> byId(int id, Credentials who) {
    if (id < 0) {
      return Optional.empty();
    }
    synchronized (cache) {
      RegisteredSchema s = cache.get(id);
      if (s != null) {
        return Optional.of(s);
      }
    }
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(baseUrl + "/schemas/ids/" + id))
              .timeout(timeout)
              .header("Accept", "application/vnd.schemaregistry.v1+json");
      if (who != null) {
        request.header("Authorization", who.basicHeader());
      }
      HttpResponse<String> response =
          http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      JsonNode body = JSON.readTree(response.body());
      RegisteredSchema s =
          new RegisteredSchema(
              body.path("schemaType").asText("AVRO"), body.path("schema").asText());
      synchronized (cache) {
        cache.put(id, s);
      }
      return Optional.of(s);
    } catch (IOException | IllegalArgumentException e) {
      log.debug("Schema {} not read from {}: {}", id, baseUrl, e.toString());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
