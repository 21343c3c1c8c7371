package dev.ferry.registry.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.http.HttpException;
import dev.ferry.http.HttpHandler;
import dev.ferry.http.HttpRequest;
import dev.ferry.http.HttpResponse;
import dev.ferry.http.Router;
import dev.ferry.registry.SchemaRegistryService;
import dev.ferry.registry.SchemaRegistryService.Registration;
import dev.ferry.registry.schema.SchemaReference;
import dev.ferry.registry.schema.SchemaType;
import dev.ferry.registry.store.StoredSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The Confluent Schema Registry REST API (v1) over {@link SchemaRegistryService}: routes, request
 * bodies and response shapes. Writes that reach a broker which is not the registry's writer are
 * forwarded to the writer ({@link Forwarder}).
 */
public final class RegistryApi {

  public static final String CONTENT_TYPE = "application/vnd.schemaregistry().v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<SchemaRegistryService> registry;
  private final Forwarder forwarder;

  /**
   * @param registry the service; may wait (bounded) while the registry is still reading its topic
   *     and throw an {@link HttpException} when it is not ready in time
   */
  public RegistryApi(Supplier<SchemaRegistryService> registry, Forwarder forwarder) {
    this.registry = registry;
    this.forwarder = forwarder;
  }

  private SchemaRegistryService registry() {
    return registry.get();
  }

  /** Renders an error as Confluent does: {@code {"error_code":40401,"message":"..."}}. */
  public static HttpResponse renderError(HttpException e) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error_code", e.errorCode()).put("message", e.getMessage());
    return HttpResponse.text(e.status(), CONTENT_TYPE, body.toString());
  }

  public Router router() {
    Router r = new Router();
    r.add("GET", "/", req -> json(JSON.createObjectNode()));
    r.add("GET", "/schemas/types", req -> json(strings(List.of("JSON", "PROTOBUF", "AVRO"))));
    r.add("GET", "/schemas/ids/{id}", this::schemaById);
    r.add("GET", "/schemas/ids/{id}/schema", req -> raw(registry().schemaById(id(req)).schema()));
    r.add("GET", "/schemas/ids/{id}/subjects", this::subjectsOfId);
    r.add("GET", "/schemas/ids/{id}/versions", this::versionsOfId);
    r.add("GET", "/subjects", this::subjects);
    r.add("GET", "/subjects/{subject}/versions", this::versions);
    r.add("POST", "/subjects/{subject}/versions", write(this::register));
    r.add("GET", "/subjects/{subject}/versions/{version}", this::version);
    r.add("GET", "/subjects/{subject}/versions/{version}/schema", this::versionSchema);
    r.add("GET", "/subjects/{subject}/versions/{version}/referencedby", this::referencedBy);
    r.add("DELETE", "/subjects/{subject}/versions/{version}", write(this::deleteVersion));
    r.add("POST", "/subjects/{subject}", this::lookup);
    r.add("DELETE", "/subjects/{subject}", write(this::deleteSubject));
    r.add("GET", "/config", req -> level("compatibilityLevel", registry().config(null, true)));
    r.add("PUT", "/config", write(req -> setConfig(req, null)));
    r.add("DELETE", "/config", write(req -> deleteConfig(null)));
    r.add("GET", "/config/{subject}", this::config);
    r.add("PUT", "/config/{subject}", write(req -> setConfig(req, req.pathParam("subject"))));
    r.add("DELETE", "/config/{subject}", write(req -> deleteConfig(req.pathParam("subject"))));
    r.add("GET", "/mode", req -> level("mode", registry().mode(null, true)));
    r.add("PUT", "/mode", write(req -> setMode(req, null)));
    r.add("GET", "/mode/{subject}", this::mode);
    r.add("PUT", "/mode/{subject}", write(req -> setMode(req, req.pathParam("subject"))));
    r.add("DELETE", "/mode/{subject}", write(this::deleteMode));
    r.add("POST", "/compatibility/subjects/{subject}/versions/{version}", this::compatibility);
    r.add("POST", "/compatibility/subjects/{subject}/versions", this::compatibility);
    return r;
  }

  /** Runs a write here when this broker is the writer, else forwards it to the writer. */
  private HttpHandler write(HttpHandler local) {
    return req -> {
      if (registry().isWriter()) {
        try {
          return local.handle(req);
        } catch (TimeoutException e) {
          throw RegistryErrors.timeout(e.getMessage());
        }
      }
      return forwarder.forward(
          req, registry().writerUrl().orElseThrow(RegistryErrors::unknownLeader));
    };
  }

  // ---- schemas by id ----

  private HttpResponse schemaById(HttpRequest req) {
    StoredSchema s = registry().schemaById(id(req));
    ObjectNode out = JSON.createObjectNode();
    out.put("schema", s.schema());
    describeTypeAndRefs(out, s);
    return json(out);
  }

  private HttpResponse subjectsOfId(HttpRequest req) {
    List<String> subjects = new ArrayList<>();
    for (StoredSchema s : registry().usesOf(id(req), req.flag("deleted"))) {
      if (!subjects.contains(s.subject())) {
        subjects.add(s.subject());
      }
    }
    return json(strings(subjects));
  }

  private HttpResponse versionsOfId(HttpRequest req) {
    ArrayNode out = JSON.createArrayNode();
    for (StoredSchema s : registry().usesOf(id(req), req.flag("deleted"))) {
      out.addObject().put("subject", s.subject()).put("version", s.version());
    }
    return json(out);
  }

  private static int id(HttpRequest req) {
    try {
      return Integer.parseInt(req.pathParam("id"));
    } catch (NumberFormatException e) {
      throw RegistryErrors.schemaNotFound(RegistryErrors.printable(req.pathParam("id")));
    }
  }

  // ---- subjects ----

  private HttpResponse subjects(HttpRequest req) {
    return json(
        strings(
            registry()
                .subjects(req.flag("deleted"), req.queryParam("subjectPrefix").orElse(null))));
  }

  private HttpResponse versions(HttpRequest req) {
    ArrayNode out = JSON.createArrayNode();
    registry().versions(req.pathParam("subject"), req.flag("deleted")).forEach(out::add);
    return json(out);
  }

  private HttpResponse version(HttpRequest req) {
    return json(
        describe(
            registry()
                .version(req.pathParam("subject"), req.pathParam("version"), req.flag("deleted"))));
  }

  private HttpResponse versionSchema(HttpRequest req) {
    return raw(
        registry()
            .version(req.pathParam("subject"), req.pathParam("version"), req.flag("deleted"))
            .schema());
  }

  private HttpResponse referencedBy(HttpRequest req) {
    ArrayNode out = JSON.createArrayNode();
    registry().referencedBy(req.pathParam("subject"), req.pathParam("version")).forEach(out::add);
    return json(out);
  }

  private HttpResponse register(HttpRequest req) throws TimeoutException, InterruptedException {
    int id = registry().register(req.pathParam("subject"), registration(req));
    return json(JSON.createObjectNode().put("id", id));
  }

  private HttpResponse lookup(HttpRequest req) {
    return json(
        describe(
            registry().lookup(req.pathParam("subject"), registration(req), req.flag("deleted"))));
  }

  private HttpResponse deleteVersion(HttpRequest req)
      throws TimeoutException, InterruptedException {
    int v =
        registry()
            .deleteVersion(
                req.pathParam("subject"), req.pathParam("version"), req.flag("permanent"));
    return json(JSON.getNodeFactory().numberNode(v));
  }

  private HttpResponse deleteSubject(HttpRequest req)
      throws TimeoutException, InterruptedException {
    ArrayNode out = JSON.createArrayNode();
    registry().deleteSubject(req.pathParam("subject"), req.flag("permanent")).forEach(out::add);
    return json(out);
  }

  // ---- config and mode ----

  private HttpResponse config(HttpRequest req) {
    return level(
        "compatibilityLevel",
        registry().config(req.pathParam("subject"), req.flag("defaultToGlobal")));
  }

  private HttpResponse setConfig(HttpRequest req, String subject)
      throws TimeoutException, InterruptedException {
    JsonNode body = body(req);
    JsonNode level = body.get("compatibility");
    if (level == null) {
      level = body.get("compatibilityLevel");
    }
    if (level == null || !level.isTextual()) {
      throw RegistryErrors.invalidCompatibility(String.valueOf(level));
    }
    return level("compatibility", registry().setConfig(subject, level.asText()));
  }

  private HttpResponse deleteConfig(String subject) throws TimeoutException, InterruptedException {
    return level("compatibilityLevel", registry().deleteConfig(subject));
  }

  private HttpResponse mode(HttpRequest req) {
    return level("mode", registry().mode(req.pathParam("subject"), req.flag("defaultToGlobal")));
  }

  private HttpResponse setMode(HttpRequest req, String subject)
      throws TimeoutException, InterruptedException {
    JsonNode mode = body(req).get("mode");
    if (mode == null || !mode.isTextual()) {
      throw RegistryErrors.invalidMode(String.valueOf(mode));
    }
    return level("mode", registry().setMode(subject, mode.asText()));
  }

  private HttpResponse deleteMode(HttpRequest req) throws TimeoutException, InterruptedException {
    return level("mode", registry().deleteMode(req.pathParam("subject")));
  }

  // ---- compatibility ----

  private HttpResponse compatibility(HttpRequest req) {
    List<String> problems =
        registry()
            .checkCompatibility(
                req.pathParam("subject"), req.pathParam("version"), registration(req));
    ObjectNode out = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
    if (req.flag("verbose")) {
      out.set("messages", strings(problems));
    }
    return json(out);
  }

  // ---- bodies ----

  private static Registration registration(HttpRequest req) {
    JsonNode body = body(req);
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw RegistryErrors.invalidSchema("Invalid schema: the body has no \"schema\" string");
    }
    JsonNode type = body.get("schemaType");
    List<SchemaReference> refs = new ArrayList<>();
    JsonNode references = body.get("references");
    if (references != null && !references.isNull()) {
      if (!references.isArray()) {
        throw RegistryErrors.invalidSchema("Invalid schema: references must be an array");
      }
      for (JsonNode r : references) {
        if (!r.path("name").isTextual()
            || !r.path("subject").isTextual()
            || !r.path("version").canConvertToInt()) {
          throw RegistryErrors.invalidSchema(
              "Invalid schema: a reference needs a name, a subject and a version");
        }
        SchemaRegistryService.checkSubject(r.get("subject").asText());
        refs.add(
            new SchemaReference(
                r.get("name").asText(), r.get("subject").asText(), r.get("version").asInt()));
      }
    }
    String typeName = type == null || type.isNull() ? null : type.asText();
    try {
      SchemaType.fromName(typeName); // an unknown type is answered before anything else
    } catch (dev.ferry.registry.schema.InvalidSchemaException e) {
      throw RegistryErrors.invalidSchema(e.getMessage());
    }
    return new Registration(
        schema.asText(),
        typeName,
        refs,
        body.hasNonNull("id") ? body.get("id").asInt() : null,
        body.hasNonNull("version") ? body.get("version").asInt() : null);
  }

  private static JsonNode body(HttpRequest req) {
    try {
      JsonNode node = JSON.readTree(req.body());
      if (node == null || !node.isObject()) {
        throw RegistryErrors.badRequest("The request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw RegistryErrors.badRequest("Malformed JSON body: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw RegistryErrors.badRequest("Unreadable body");
    }
  }

  private static ObjectNode describe(StoredSchema s) {
    ObjectNode out = JSON.createObjectNode();
    out.put("subject", s.subject()).put("version", s.version()).put("id", s.id());
    describeTypeAndRefs(out, s);
    out.put("schema", s.schema());
    return out;
  }

  private static void describeTypeAndRefs(ObjectNode out, StoredSchema s) {
    if (s.type() != SchemaType.AVRO) {
      out.put("schemaType", s.type().name());
    }
    if (!s.references().isEmpty()) {
      ArrayNode refs = out.putArray("references");
      for (SchemaReference r : s.references()) {
        refs.addObject()
            .put("name", r.name())
            .put("subject", r.subject())
            .put("version", r.version());
      }
    }
  }

  private static HttpResponse level(String field, String value) {
    return json(JSON.createObjectNode().put(field, value));
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode out = JSON.createArrayNode();
    values.forEach(out::add);
    return out;
  }

  private static HttpResponse json(JsonNode node) {
    return HttpResponse.of(200, CONTENT_TYPE, node.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse raw(String schema) {
    return HttpResponse.of(200, CONTENT_TYPE, schema.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a write to the registry's writer and relays its answer. */
  public interface Forwarder {
    HttpResponse forward(HttpRequest request, String writerUrl);
  }
}
