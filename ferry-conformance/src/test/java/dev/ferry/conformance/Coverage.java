package dev.ferry.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The coverage check: every API Ferry advertises must have had an answer compared with Kafka's at
 * every version both brokers advertise (ApiVersions enumerated at run time, so a newly registered
 * handler without cases fails the suite), unless the allow-list says why not.
 */
final class Coverage {

  private Coverage() {}

  /** One line per API with versions never compared and no allow-list reason. */
  static List<String> gaps(Conformance c, AllowList allowList) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<ApiKeys, ApiVersion> e : c.ferryApis().entrySet()) {
      ApiKeys api = e.getKey();
      ApiVersion k = c.kafkaApis().get(api);
      if (k == null || allowList.uncoveredReason(api) != null) {
        continue; // not served by Kafka: ApiVersionsComparison reports it
      }
      SortedSet<Short> missing = new TreeSet<>();
      SortedSet<Short> seen = c.covered().getOrDefault(api, new TreeSet<>());
      int lo = Math.max(e.getValue().minVersion(), k.minVersion());
      int hi = Math.min(e.getValue().maxVersion(), k.maxVersion());
      for (int v = lo; v <= hi; v++) {
        if (!seen.contains((short) v)) {
          missing.add((short) v);
        }
      }
      if (!missing.isEmpty()) {
        out.add(api + " (advertised " + lo + ".." + hi + "): no answer compared at v" + missing);
      }
    }
    return out;
  }

  /** The table for the report: API, common range, versions compared. */
  static String table(Conformance c) {
    StringBuilder sb = new StringBuilder("API | common range | versions compared\n");
    for (Map.Entry<ApiKeys, ApiVersion> e : c.ferryApis().entrySet()) {
      ApiVersion k = c.kafkaApis().get(e.getKey());
      String range =
          k == null
              ? "Kafka: none"
              : Math.max(e.getValue().minVersion(), k.minVersion())
                  + ".."
                  + Math.min(e.getValue().maxVersion(), k.maxVersion());
      sb.append(e.getKey())
          .append(" | ")
          .append(range)
          .append(" | ")
          .append(c.covered().getOrDefault(e.getKey(), new TreeSet<>()))
          .append('\n');
    }
    return sb.toString();
  }
}
