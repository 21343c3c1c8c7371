package dev.ferry.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * ApiVersions, compared API by API: every API Ferry advertises must be advertised by a default
 * Kafka 4.4 broker with the same version range. APIs Kafka has and Ferry lacks are not differences
 * (Ferry serves a subset); the rest of the response is compared like any other by a case.
 */
final class ApiVersionsComparison {

  private ApiVersionsComparison() {}

  static List<String> differences(Conformance c) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<ApiKeys, ApiVersion> e : c.ferryApis().entrySet()) {
      ApiVersion f = e.getValue();
      ApiVersion k = c.kafkaApis().get(e.getKey());
      if (k == null) {
        out.add(e.getKey() + ": Ferry advertises " + range(f) + ", Kafka does not advertise it");
      } else if (f.minVersion() != k.minVersion() || f.maxVersion() != k.maxVersion()) {
        out.add(e.getKey() + ": Ferry advertises " + range(f) + ", Kafka " + range(k));
      }
    }
    return out;
  }

  private static String range(ApiVersion v) {
    return v.minVersion() + ".." + v.maxVersion();
  }
}
