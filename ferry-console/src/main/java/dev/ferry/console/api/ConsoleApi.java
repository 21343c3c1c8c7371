package dev.ferry.console.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.console.decode.ValueDecoder;
import dev.ferry.console.kafka.ClientFactory;
import dev.ferry.console.kafka.ClusterService;
import dev.ferry.console.kafka.Credentials;
import dev.ferry.console.kafka.GroupsService;
import dev.ferry.console.kafka.MessageBrowser;
import dev.ferry.console.kafka.ThroughputService;
import dev.ferry.console.kafka.TopicsService;
import dev.ferry.http.HttpException;
import dev.ferry.http.HttpHandler;
import dev.ferry.http.HttpRequest;
import dev.ferry.http.HttpResponse;
import dev.ferry.http.Router;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * The console's routes: the static front end at {@code /}, and a JSON API under {@code /api} that
 * the pages call. Every API call runs through the signed-in user's Kafka clients. Changes
 * (POST/PUT/DELETE) must carry the {@code X-Ferry-Console} header and a JSON body: a browser sends
 * neither from another site's form without a CORS preflight, which the console never grants, so a
 * page elsewhere cannot make a signed-in browser change the cluster.
 */
public final class ConsoleApi {

  static final String CHANGE_HEADER = "X-Ferry-Console";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The services the routes call. */
  public record Services(
      ClientFactory clients,
      ClusterService cluster,
      TopicsService topics,
      MessageBrowser messages,
      GroupsService groups,
      ThroughputService throughput) {}

  private final Services s;
  private final StaticAssets assets = new StaticAssets();

  public ConsoleApi(Services services) {
    this.s = services;
  }

  public Router router() {
    Router r = new Router();
    r.add("GET", "/", req -> assets.serve("index.html"));
    for (String file : List.of("index.html", "app.js", "charts.js", "style.css", "favicon.svg")) {
      r.add("GET", "/" + file, req -> assets.serve(file));
    }
    r.add("GET", "/api/whoami", req -> json(Map.of("user", userOf(req))));
    r.add("GET", "/api/cluster", read((req, admin) -> s.cluster().describe(admin)));
    r.add("GET", "/api/topics", read((req, admin) -> s.topics().list(admin)));
    r.add("POST", "/api/topics", change(this::createTopic));
    r.add(
        "GET",
        "/api/topics/{topic}",
        read((req, admin) -> s.topics().describe(admin, req.pathParam("topic"))));
    r.add(
        "DELETE",
        "/api/topics/{topic}",
        change(
            (req, admin) -> {
              s.topics().delete(admin, req.pathParam("topic"));
              return Map.of("deleted", req.pathParam("topic"));
            }));
    r.add("POST", "/api/topics/{topic}/partitions", change(this::addPartitions));
    r.add("POST", "/api/topics/{topic}/configs", change(this::alterConfigs));
    r.add("GET", "/api/topics/{topic}/messages", this::messages);
    r.add("GET", "/api/groups", read((req, admin) -> s.groups().list(admin)));
    r.add(
        "GET",
        "/api/groups/{group}",
        read((req, admin) -> s.groups().describe(admin, req.pathParam("group"))));
    r.add("POST", "/api/groups/{group}/reset", change(this::resetGroup));
    r.add("GET", "/api/metrics", read((req, admin) -> s.throughput().sample(admin)));
    return r;
  }

  @FunctionalInterface
  private interface AdminCall {
    Object apply(HttpRequest request, Admin admin) throws Exception;
  }

  private HttpHandler read(AdminCall call) {
    return req -> {
      try {
        return json(call.apply(req, s.clients().admin(credentials(req))));
      } catch (RuntimeException e) {
        throw ConsoleErrors.map(e);
      }
    };
  }

  private HttpHandler change(AdminCall call) {
    return req -> {
      if (req.header(CHANGE_HEADER).isEmpty()) {
        throw new HttpException(403, 403, "Changes need the " + CHANGE_HEADER + " header");
      }
      String type = req.header("Content-Type").orElse("");
      if (req.body().length > 0 && !type.startsWith("application/json")) {
        throw new HttpException(415, 415, "Changes take application/json");
      }
      return read(call).handle(req);
    };
  }

  private Object createTopic(HttpRequest req, Admin admin) {
    JsonNode body = body(req);
    Map<String, String> configs = new TreeMap<>();
    body.path("configs").properties().forEach(e -> configs.put(e.getKey(), e.getValue().asText()));
    String name = text(body, "name");
    s.topics()
        .create(
            admin,
            new TopicsService.NewTopicRequest(
                name,
                body.path("partitions").asInt(1),
                body.path("replicationFactor").asInt(-1),
                configs));
    return Map.of("created", name);
  }

  private Object addPartitions(HttpRequest req, Admin admin) {
    int count = body(req).path("count").asInt(-1);
    if (count < 1) {
      throw new HttpException(400, 400, "count: the new total number of partitions");
    }
    s.topics().addPartitions(admin, req.pathParam("topic"), count);
    return Map.of("partitions", count);
  }

  private Object alterConfigs(HttpRequest req, Admin admin) {
    JsonNode body = body(req);
    Map<String, String> set = new TreeMap<>();
    body.path("set").properties().forEach(e -> set.put(e.getKey(), e.getValue().asText()));
    List<String> remove = new ArrayList<>();
    body.path("delete").forEach(n -> remove.add(n.asText()));
    s.topics().alterConfigs(admin, req.pathParam("topic"), set, remove);
    return Map.of("set", set, "deleted", remove);
  }

  private Object resetGroup(HttpRequest req, Admin admin) {
    JsonNode body = body(req);
    GroupsService.ResetTarget target = GroupsService.ResetTarget.parse(body.path("to").asText(""));
    Long time = body.hasNonNull("timestamp") ? parseTime(body.get("timestamp").asText()) : null;
    String topic = body.hasNonNull("topic") ? body.get("topic").asText() : null;
    Map<TopicPartition, Long> result =
        s.groups().reset(admin, req.pathParam("group"), target, time, topic);
    Map<String, Long> out = new TreeMap<>();
    result.forEach((tp, o) -> out.put(tp.toString(), o));
    return Map.of("offsets", out);
  }

  private HttpResponse messages(HttpRequest req) {
    try {
      MessageBrowser.Mode mode =
          switch (req.queryParam("mode").orElse("newest")) {
            case "offset" -> MessageBrowser.Mode.OFFSET;
            case "time" -> MessageBrowser.Mode.TIME;
            default -> MessageBrowser.Mode.NEWEST;
          };
      long from =
          switch (mode) {
            case OFFSET -> parseLong(req.queryParam("offset").orElse("0"), "offset");
            case TIME -> parseTime(req.queryParam("time").orElse("0"));
            default -> 0;
          };
      String p = req.queryParam("partition").orElse("");
      Integer partition = p.isEmpty() || p.equals("all") ? null : (int) parseLong(p, "partition");
      int limit =
          (int)
              Math.min(Integer.MAX_VALUE, parseLong(req.queryParam("limit").orElse("50"), "limit"));
      MessageBrowser.Query q =
          new MessageBrowser.Query(
              req.pathParam("topic"),
              partition,
              mode,
              from,
              limit,
              ValueDecoder.Format.parse(req.queryParam("format").orElse("auto")));
      return json(s.messages().read(credentials(req), q));
    } catch (RuntimeException e) {
      throw ConsoleErrors.map(e);
    }
  }

  /** A time as epoch milliseconds or ISO-8601 ({@code 2026-12-07T11:00:00Z}). */
  static long parseTime(String s) {
    String t = s.trim();
    if (t.matches("-?\\d+")) {
      return Long.parseLong(t);
    }
    try {
      return Instant.parse(t).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new HttpException(400, 400, "Time must be epoch milliseconds or ISO-8601 (UTC)");
    }
  }

  private static long parseLong(String s, String what) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new HttpException(400, 400, what + " must be a number");
    }
  }

  private static String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty()) {
      throw new HttpException(400, 400, field + " is required");
    }
    return n.asText();
  }

  private static JsonNode body(HttpRequest req) {
    if (req.body().length == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode n = JSON.readTree(req.body());
      if (n == null || !n.isObject()) {
        throw new HttpException(400, 400, "The body must be a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new HttpException(400, 400, "Malformed JSON body");
    } catch (java.io.IOException e) {
      throw new HttpException(400, 400, "Unreadable body");
    }
  }

  private static Credentials credentials(HttpRequest req) {
    // Only when the server checked them (a SASL broker); otherwise clients act anonymously.
    return req.principal() == null ? null : Credentials.of(req).orElse(null);
  }

  private static String userOf(HttpRequest req) {
    return req.principal() == null ? "" : req.principal();
  }

  static HttpResponse json(Object value) {
    try {
      return new HttpResponse(
          200,
          "application/json; charset=utf-8",
          JSON.writeValueAsString(value).getBytes(StandardCharsets.UTF_8),
          SecurityHeaders.forJson());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
