package dev.ferry.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks two JSON forms of the same response message side by side and lists every field that differs
 * and is not on the {@link AllowList}. Paths name fields by schema name with array indexes ({@code
 * topics[0].partitions[2].errorCode}); the allow-list sees them without indexes.
 */
final class ResponseDiff {

  private final AllowList allowList;

  ResponseDiff(AllowList allowList) {
    this.allowList = allowList;
  }

  /** {@code scope} is "API/case vN", the allow-list matches "API/case". */
  List<Difference> compare(
      String caseApi,
      String caseName,
      short version,
      String api,
      short v,
      JsonNode ferry,
      JsonNode kafka) {
    List<Difference> raw = new ArrayList<>();
    walk(caseApi + "/" + caseName, api, caseName, version, "", "", ferry, kafka, raw);
    List<Difference> out = new ArrayList<>();
    for (Difference d : raw) {
      out.add(new Difference(d.scope(), version, api + " v" + v, d.path(), d.ferry(), d.kafka()));
    }
    return out;
  }

  private void walk(
      String scope,
      String api,
      String caseName,
      short version,
      String path,
      String bare,
      JsonNode ferry,
      JsonNode kafka,
      List<Difference> out) {
    if (allowList.allows(api, caseName, version, bare)) {
      return;
    }
    if (ferry == null || kafka == null || ferry.getNodeType() != kafka.getNodeType()) {
      if (!(ferry == null && kafka == null)) {
        out.add(
            new Difference(
                scope, (short) 0, "", path, String.valueOf(ferry), String.valueOf(kafka)));
      }
      return;
    }
    if (ferry.isObject()) {
      Set<String> names = new LinkedHashSet<>();
      kafka.fieldNames().forEachRemaining(names::add);
      ferry.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        String p = path.isEmpty() ? name : path + "." + name;
        String b = bare.isEmpty() ? name : bare + "." + name;
        walk(scope, api, caseName, version, p, b, ferry.get(name), kafka.get(name), out);
      }
    } else if (ferry.isArray()) {
      if (ferry.size() != kafka.size()) {
        out.add(
            new Difference(
                scope,
                (short) 0,
                "",
                path + ".size",
                ferry.size() + " " + abbreviate(ferry),
                kafka.size() + " " + abbreviate(kafka)));
      }
      Iterator<JsonNode> f = ferry.elements();
      Iterator<JsonNode> k = kafka.elements();
      for (int i = 0; f.hasNext() && k.hasNext(); i++) {
        walk(
            scope,
            api,
            caseName,
            version,
            path + "[" + i + "]",
            bare + "[]",
            f.next(),
            k.next(),
            out);
      }
    } else if (!ferry.equals(kafka)) {
      out.add(new Difference(scope, (short) 0, "", path, ferry.toString(), kafka.toString()));
    }
  }

  private static String abbreviate(JsonNode node) {
    String s = node.toString();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
