package dev.ferry.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The expected differences between Ferry's answers and Kafka's, each with its reason. A difference
 * matched by no entry fails the suite. Keep it short: an entry is a decision that a difference does
 * not matter to any client (or that Ferry deliberately lacks a feature), not a place to park bugs.
 *
 * <p>Entries match a scope and a field path. The scope is an API name ({@code METADATA}), an API
 * and case ({@code PRODUCE/keyless-to-compacted}), or {@code *}; the path names fields by schema
 * name without array indexes ({@code topics[].partitions[].errorCode}), where {@code *} matches
 * within one name and {@code **} across names. Matching a field also allows everything below it.
 */
final class AllowList {

  private final List<Entry> entries = new ArrayList<>();

  record Entry(Pattern scope, Pattern path, String reason) {}

  AllowList allow(String scope, String path, String reason) {
    entries.add(new Entry(glob(scope), glob(path), reason));
    return this;
  }

  boolean allows(String api, String caseName, String path) {
    for (Entry e : entries) {
      if ((e.scope.matcher(api).matches() || e.scope.matcher(api + "/" + caseName).matches())
          && e.path.matcher(path).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (c == '*') {
        re.append("[^.]*");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  /** The suite's list. Every entry says why the difference is expected. */
  static AllowList standard() {
    return new AllowList()
        // Identity of the cluster and its nodes: every cluster has its own.
        .allow("*", "clusterId", "each cluster has its own random id")
        .allow("*", "**host", "Ferry listens on 127.0.0.1, the Kafka test kit on localhost")
        .allow("*", "**port", "ephemeral ports differ")
        // Quotas: neither side throttles in these tests, but Kafka may report a delay it measured.
        .allow("*", "**throttleTimeMs", "throttling is time-dependent, not protocol behaviour");
  }
}
