package dev.ferry.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Runs cases against Ferry and the Kafka reference side by side and collects every difference the
 * allow-list does not explain, with both answers in full for the report.
 */
final class Conformance implements AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Conformance.class);

  private static final long SLOW_CASE_MS = 1_000;

  /** Remembered on both sides while a case runs: the version of the case's API. */
  static final String CASE_VERSION = "caseVersion";

  private final SideContext ferry;
  private final SideContext kafka;
  private final ResponseDiff diff;
  private final Map<ApiKeys, ApiVersionsResponseData.ApiVersion> ferryApis;
  private final Map<ApiKeys, ApiVersionsResponseData.ApiVersion> kafkaApis;
  private final List<Difference> differences = new ArrayList<>();
  private final StringBuilder details = new StringBuilder();
  private int exchangesCompared;

  /** Every API and version whose answer was compared at least once, for the coverage check. */
  private final Map<ApiKeys, java.util.SortedSet<Short>> covered = new EnumMap<>(ApiKeys.class);

  Conformance(BrokerUnderTest ferrySide, BrokerUnderTest kafkaSide, AllowList allowList) {
    this.ferry = new SideContext(ferrySide);
    this.kafka = new SideContext(kafkaSide);
    this.diff = new ResponseDiff(allowList);
    this.ferryApis = advertised(ferry);
    this.kafkaApis = advertised(kafka);
  }

  static Map<ApiKeys, ApiVersionsResponseData.ApiVersion> advertised(SideContext side) {
    ApiVersionsRequestData req =
        new ApiVersionsRequestData()
            .setClientSoftwareName("ferry-conformance")
            .setClientSoftwareVersion("1");
    ApiVersionsResponseData r =
        (ApiVersionsResponseData) side.send(0, Requests.of(req, (short) 3)).data();
    Map<ApiKeys, ApiVersionsResponseData.ApiVersion> apis = new EnumMap<>(ApiKeys.class);
    for (ApiVersionsResponseData.ApiVersion v : r.apiKeys()) {
      if (ApiKeys.hasId(v.apiKey())) {
        apis.put(ApiKeys.forId(v.apiKey()), v);
      }
    }
    return apis;
  }

  Map<ApiKeys, ApiVersionsResponseData.ApiVersion> ferryApis() {
    return ferryApis;
  }

  Map<ApiKeys, ApiVersionsResponseData.ApiVersion> kafkaApis() {
    return kafkaApis;
  }

  SideContext ferry() {
    return ferry;
  }

  SideContext kafka() {
    return kafka;
  }

  /** Runs {@code c} at every version of its API that both sides advertise. */
  void run(Case c) {
    ApiVersionsResponseData.ApiVersion f = ferryApis.get(c.api());
    ApiVersionsResponseData.ApiVersion k = kafkaApis.get(c.api());
    if (f == null || k == null) {
      return; // not served by Ferry (or not by Kafka: the ApiVersions comparison reports that)
    }
    int lo = Math.max(c.minVersion(), Math.max(f.minVersion(), k.minVersion()));
    int hi = Math.min(f.maxVersion(), k.maxVersion());
    for (int v = lo; v <= hi; v++) {
      long start = System.nanoTime();
      runAt(c, (short) v);
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (ms > SLOW_CASE_MS) {
        // The suite's time is the sum of these: say which case spends it.
        log.info("{}/{} v{} took {} ms", c.api(), c.name(), v, ms);
      }
    }
  }

  /** Runs every exchange of {@code c} with the case's API at {@code version}. */
  void runAt(Case c, short version) {
    ferry.remember(CASE_VERSION, version);
    kafka.remember(CASE_VERSION, version);
    for (Exchange e : c.exchanges()) {
      short v = e.api() == c.api() ? version : highestCommon(e.api());
      ApiMessage fReq;
      ApiMessage kReq;
      try {
        fReq = e.factory().build(ferry, v);
        kReq = e.factory().build(kafka, v);
        org.apache.kafka.common.protocol.MessageUtil.toByteBufferAccessor(fReq, v);
        org.apache.kafka.common.protocol.MessageUtil.toByteBufferAccessor(kReq, v);
      } catch (UnsupportedVersionException notExpressible) {
        return; // this case's requests cannot be written at this version
      }
      if (e.reconnect()) {
        ferry.disconnect(e.nodeIndex(), e.channel());
        kafka.disconnect(e.nodeIndex(), e.channel());
      }
      AbstractResponse fResp = sendSettled(ferry, e, fReq, v);
      AbstractResponse kResp = sendSettled(kafka, e, kReq, v);
      if (e.compared()) {
        compare(c, version, e.api(), v, fResp, kResp);
      }
      if (fResp != null) {
        e.after().accept(ferry, fResp);
      }
      if (kResp != null) {
        e.after().accept(kafka, kResp);
      }
    }
  }

  private void compare(
      Case c, short version, ApiKeys api, short v, AbstractResponse f, AbstractResponse k) {
    exchangesCompared++;
    covered.computeIfAbsent(api, a -> new java.util.TreeSet<>()).add(v);
    String scope = c.api() + "/" + c.name();
    if (f == null || k == null) {
      if (f != k) {
        differences.add(
            new Difference(
                scope,
                version,
                api + " v" + v,
                "(connection)",
                f == null ? "closed the connection" : "answered",
                k == null ? "closed the connection" : "answered"));
      }
      return;
    }
    JsonNode fJson = normalize(MessageJson.of(f.data(), v), ferry);
    JsonNode kJson = normalize(MessageJson.of(k.data(), v), kafka);
    List<Difference> found =
        diff.compare(c.api().name(), c.name(), version, api.name(), v, fJson, kJson);
    if (!found.isEmpty()) {
      differences.addAll(found);
      details
          .append("\n== ")
          .append(scope)
          .append(" v")
          .append(version)
          .append(" (")
          .append(api)
          .append(" v")
          .append(v)
          .append(")")
          .append("\n   ferry: ")
          .append(fJson)
          .append("\n   kafka: ")
          .append(kJson)
          .append('\n');
    }
  }

  /**
   * Compares what the two brokers did with a malformed frame: both closed the connection, or both
   * answered (compared like any answer), or both kept silent.
   */
  void compareRaw(BadInput.Frame frame, BadInput.RawOutcome f, BadInput.RawOutcome k) {
    exchangesCompared++;
    String scope = "BAD_INPUT/" + frame.name();
    if (frame.isRequest() && f.kind().equals(k.kind())) {
      markCovered(frame.api(), frame.version());
    }
    if (!f.kind().equals(k.kind())) {
      differences.add(
          new Difference(scope, frame.version(), "raw frame", "(outcome)", f.kind(), k.kind()));
      details
          .append("\n== ")
          .append(scope)
          .append("\n   ferry: ")
          .append(f.kind())
          .append(
              f.response() == null
                  ? ""
                  : " " + MessageJson.of(f.response().data(), frame.version()))
          .append("\n   kafka: ")
          .append(k.kind())
          .append(
              k.response() == null
                  ? ""
                  : " " + MessageJson.of(k.response().data(), frame.version()))
          .append('\n');
      return;
    }
    if (f.response() != null && k.response() != null) {
      exchangesCompared--; // counted by compare
      compare(
          new Case(frame.api(), "bad-input-" + frame.name(), frame.version(), List.of()),
          frame.version(),
          frame.api(),
          frame.version(),
          f.response(),
          k.response());
    }
  }

  /** Sends until the exchange's condition holds (at most 10 s), returning the last answer. */
  private static AbstractResponse sendSettled(
      SideContext side, Exchange e, ApiMessage data, short version) {
    java.util.concurrent.atomic.AtomicReference<AbstractResponse> last =
        new java.util.concurrent.atomic.AtomicReference<>();
    try {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .pollDelay(java.time.Duration.ZERO)
          .pollInterval(java.time.Duration.ofMillis(50))
          .until(
              () -> {
                AbstractResponse r = sendOrNull(side, e.nodeIndex(), e.channel(), data, version);
                last.set(r);
                return r == null || e.settled().test(r);
              });
    } catch (org.awaitility.core.ConditionTimeoutException unsettled) {
      // The last answer is compared: the difference it shows is the report.
      log.info("{}: {} never settled; last answer {}", side.name(), e.api(), last.get());
    }
    return last.get();
  }

  private static AbstractResponse sendOrNull(
      SideContext side, int node, String channel, ApiMessage data, short version) {
    try {
      return side.send(node, channel, data, version);
    } catch (UncheckedIOException closed) {
      return null;
    }
  }

  short highestCommon(ApiKeys api) {
    ApiVersionsResponseData.ApiVersion f = ferryApis.get(api);
    ApiVersionsResponseData.ApiVersion k = kafkaApis.get(api);
    if (f == null || k == null) {
      throw new IllegalStateException(api + " is not served by both sides");
    }
    return (short) Math.min(f.maxVersion(), k.maxVersion());
  }

  /**
   * What is generated per cluster becomes comparable: topic ids become the topic they name, member
   * ids (client id + random UUID on both brokers) a placeholder, and keyed arrays objects.
   */
  private static JsonNode normalize(JsonNode json, SideContext side) {
    return KeyedArrays.rewrite(normalizeMemberIds(normalizeTopicIds(json, side)));
  }

  private static final java.util.regex.Pattern MEMBER_ID =
      java.util.regex.Pattern.compile(
          "conformance-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private static JsonNode normalizeMemberIds(JsonNode node) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode value = o.get(name);
        if (value.isTextual() && MEMBER_ID.matcher(value.asText()).matches()) {
          o.put(name, "<generated member id>");
        } else {
          normalizeMemberIds(value);
        }
      }
    } else if (node.isArray()) {
      node.forEach(Conformance::normalizeMemberIds);
    }
    return node;
  }

  /** Topic ids are random per cluster: compare them by the topic they name. */
  private static JsonNode normalizeTopicIds(JsonNode node, SideContext side) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
      List<String> ids = new ArrayList<>();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (f.getValue().isTextual() && f.getKey().toLowerCase().endsWith("topicid")) {
          ids.add(f.getKey());
        } else {
          normalizeTopicIds(f.getValue(), side);
        }
      }
      for (String field : ids) {
        Uuid id = Uuid.fromString(o.get(field).asText());
        String name = side.topicName(id);
        if (name != null) {
          o.put(field, "id-of:" + name);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> normalizeTopicIds(n, side));
    }
    return node;
  }

  List<Difference> differences() {
    return differences;
  }

  /** The differences found after the first {@code mark} (a previous size of the list). */
  List<Difference> differencesSince(int mark) {
    return differences.subList(mark, differences.size());
  }

  /** The versions of each API whose answers were compared (by any case, as its API or a step). */
  Map<ApiKeys, java.util.SortedSet<Short>> covered() {
    return covered;
  }

  /** Counts an API version as compared by a test outside the case machinery (raw frames). */
  void markCovered(ApiKeys api, short version) {
    covered.computeIfAbsent(api, a -> new java.util.TreeSet<>()).add(version);
  }

  int exchangesCompared() {
    return exchangesCompared;
  }

  /** The failure report: each difference, then both answers of each exchange that differed. */
  String report() {
    StringBuilder sb = new StringBuilder();
    sb.append(differences.size())
        .append(" difference(s) not on the allow-list in ")
        .append(exchangesCompared)
        .append(" exchanges:\n");
    // The same difference at several versions is one line, with its versions.
    Map<String, List<Short>> grouped = new java.util.LinkedHashMap<>();
    for (Difference d : differences) {
      grouped.computeIfAbsent(d.key(), x -> new ArrayList<>()).add(d.version());
    }
    grouped.forEach(
        (k, versions) -> sb.append("  ").append(k).append(" at v").append(versions).append('\n'));
    sb.append(details.length() > 200_000 ? details.substring(0, 200_000) + "\n..." : details);
    return sb.toString();
  }

  @Override
  public void close() {
    ferry.close();
    kafka.close();
  }
}
